package engine

import (
	"net"
	"testing"
	"time"
)

// checkUDPAccount checks sent = received + lost (+ what a stock iperf3
// receiver never counted) for every stream and each total, and returns the
// total lost and uncounted.
func checkUDPAccount(t *testing.T, sum *Summary) (lost uint64) {
	t.Helper()
	for _, ss := range sum.Streams {
		snd, rcv := ss.Sender.UDP, ss.Receiver.UDP
		if snd == nil || rcv == nil {
			t.Fatalf("stream %d has no UDP figures", ss.ID)
		}
		if snd.Packets == 0 || snd.Packets != rcv.Packets+rcv.Lost+rcv.Uncounted {
			t.Errorf("stream %d: %d sent, %d received + %d lost + %d uncounted", ss.ID, snd.Packets, rcv.Packets, rcv.Lost, rcv.Uncounted)
		}
	}
	for _, tot := range []*Totals{&sum.Forward, sum.Reverse} {
		if tot == nil {
			continue
		}
		snd, rcv := tot.Sender.UDP, tot.Receiver.UDP
		if snd.Packets != rcv.Packets+rcv.Lost+rcv.Uncounted {
			t.Errorf("totals: %d sent, %d received + %d lost + %d uncounted", snd.Packets, rcv.Packets, rcv.Lost, rcv.Uncounted)
		}
		lost += rcv.Lost + rcv.Uncounted
	}
	return lost
}

// TestUDPLoopback runs UDP tests goperf to goperf in each mode and I/O path
// at a rate loopback carries without loss.
func TestUDPLoopback(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		io   UDPConfig
	}{
		{"forward", Spec{}, UDPConfig{}},
		{"two streams", Spec{Streams: 2}, UDPConfig{}},
		{"reverse", Spec{Direction: Reverse}, UDPConfig{}},
		{"bidir", Spec{Direction: Bidir}, UDPConfig{}},
		{"one per call", Spec{}, UDPConfig{Batch: 1, NoGSO: true, NoGRO: true}},
		{"no offload", Spec{Direction: Reverse}, UDPConfig{Batch: 8, NoGSO: true, NoGRO: true}},
		{"64-bit counters", Spec{UDP64Bit: true}, UDPConfig{}},
		{"bytes", Spec{Bytes: 4 << 20}, UDPConfig{}},
		{"large datagrams", Spec{Length: 8 << 10}, UDPConfig{}},
	}
	ts := startServer(t, ServerConfig{}, JSON)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := tt.spec
			sp.Proto = UDP
			if sp.Length == 0 {
				sp.Length = 1400
			}
			sp.Bitrate = 200e6
			cfg := ts.clientConfig(sp)
			cfg.UDP = tt.io
			sum, doc, err := runClient(t, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if lost := checkUDPAccount(t, sum); lost != 0 {
				t.Errorf("%d datagrams lost on loopback at 200 Mbit/s", lost)
			}
			if got := num(doc, "end", "sum_received", "packets"); got != float64(sum.Forward.Receiver.UDP.Packets) {
				t.Errorf("JSON sum_received.packets %v, summary %d", got, sum.Forward.Receiver.UDP.Packets)
			}
			if sp.Bytes > 0 && sum.Forward.Sender.Bytes < sp.Bytes {
				t.Errorf("-n %d: sent %d", sp.Bytes, sum.Forward.Sender.Bytes)
			}
			io := sum.Forward.Sender.UDP
			if !sum.Forward.Local {
				io = sum.Forward.Receiver.UDP
			}
			if tt.io.Batch > 0 && io.Batch != tt.io.Batch {
				t.Errorf("batch %d, asked %d", io.Batch, tt.io.Batch)
			}
			// The client's --no-gso and --no-gro hold at the server's end
			// too: its receiver counts exactly, its sender sends one by one.
			for _, tot := range []*Totals{&sum.Forward, sum.Reverse} {
				if tot == nil {
					continue
				}
				if tt.io.NoGRO && (tot.Receiver.UDP.GRO || tot.Receiver.UDP.DropsEstimated) {
					t.Errorf("--no-gro: the receiver (local %v) used GRO %v, drops estimated %v", !tot.Local, tot.Receiver.UDP.GRO, tot.Receiver.UDP.DropsEstimated)
				}
				if tt.io.NoGSO && tot.Sender.UDP.GSO {
					t.Errorf("--no-gso: the sender (local %v) used GSO", tot.Local)
				}
			}
		})
	}
}

// udpPairConns returns two UDP sockets on loopback connected to each other.
func udpPairConns(t *testing.T) (a, b *net.UDPConn) {
	t.Helper()
	b, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	a, err = net.DialUDP("udp4", nil, b.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// udpRecvOpts are a test receiver's choices beyond the config.
type udpRecvOpts struct {
	discard bool          // --skip-rx-copy
	spin    time.Duration // a thread loop's polling of its empty socket
}

// udpTestStream returns a UDP stream on conn as the engine makes one, on
// the poller or, with thread, on a thread loop's blocking socket.
func udpTestStream(t *testing.T, conn *net.UDPConn, sender bool, cfg UDPConfig, thread bool, rcvOpts ...udpRecvOpts) *stream {
	t.Helper()
	var ro udpRecvOpts
	if len(rcvOpts) > 0 {
		ro = rcvOpts[0]
	}
	sp := &Spec{Proto: UDP, Length: 1400, Bytes: 1 << 60, SkipRxCopy: ro.discard}
	st := newStream(1, conn, sender, sp.Length, false)
	st.spin.For = ro.spin
	if thread {
		if st.setPath(pathThread); st.path != pathThread {
			t.Skip("no thread loops on this platform")
		}
		if err := st.detach(threadBackstop); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.conn.Close() })
	}
	if err := st.prepareUDP(sp, cfg.options()); err != nil {
		t.Fatal(err)
	}
	st.epoch = time.Now()
	st.budget = newBudget(sp, func() {})
	return st
}

// TestUDPAllocs asserts that sending and receiving a batch of datagrams
// allocates nothing, with and without offloads and pacing, on the poller
// and in thread loops.
func TestUDPAllocs(t *testing.T) {
	for _, tt := range []struct {
		cfg             UDPConfig
		thread, discard bool
		spin            time.Duration
	}{
		{UDPConfig{}, false, false, 0}, {UDPConfig{Batch: 1, NoGSO: true, NoGRO: true}, false, false, 0},
		{UDPConfig{}, true, false, 0}, {UDPConfig{Batch: 1, NoGSO: true, NoGRO: true}, true, false, 0},
		{UDPConfig{}, false, true, 0}, {UDPConfig{}, true, true, 0}, // --skip-rx-copy
		{UDPConfig{}, true, false, DefaultRecvSpin}, {UDPConfig{}, true, true, DefaultRecvSpin}, // polling
	} {
		cfg := tt.cfg
		a, b := udpPairConns(t)
		_ = b.SetReadBuffer(8 << 20)
		_ = b.SetReadDeadline(time.Now().Add(10 * time.Second)) // the poller's; a thread loop's socket has its backstop
		snd := udpTestStream(t, a, true, cfg, tt.thread)
		rcv := udpTestStream(t, b, false, cfg, tt.thread, udpRecvOpts{tt.discard, tt.spin})
		snd.pacer = newPacer(100e9, 1400, 0, 0)
		snd.timer = time.NewTimer(time.Hour)
		snd.timer.Stop()
		if n := testing.AllocsPerRun(200, func() {
			if _, err := snd.udpSendStep(); err != nil {
				t.Fatal(err)
			}
			if err := rcv.udpRecvStep(); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%+v, thread %v, spin %v: %v allocations per batch sent and received", cfg, tt.thread, tt.spin, n)
		}
		if rcv.udp.trunc != tt.discard {
			t.Errorf("discard %v: the receiver reads headers only: %v", tt.discard, rcv.udp.trunc)
		}
		if rcv.udp.acct.received == 0 || rcv.bytes.Load() != rcv.udp.acct.received*1400 {
			t.Errorf("%+v, thread %v, discard %v: %d datagrams, %d bytes received", cfg, tt.thread, tt.discard, rcv.udp.acct.received, rcv.bytes.Load())
		}
	}
}
