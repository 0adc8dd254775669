package engine

import (
	"encoding/binary"
	"io"
	"math/rand/v2"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goperf/goperf/engine/wire"
)

// rest is a server's state between tests: its goroutines and the heap, to
// check that a hostile or vanished peer leaves nothing behind.
type rest struct {
	goroutines goleak.Option
	heap       uint64
}

// heapSlack is how much the live heap may grow over a rest and still count
// as bounded: a few tests' buffers that the next GC has not taken yet.
const heapSlack = 16 << 20

// atRest records the process's state once ts has finished a normal test,
// so that lazily started parts count as the baseline.
func atRest(t *testing.T, ts *testServer) rest {
	t.Helper()
	normalTest(t, ts)
	return rest{goroutines: goleak.IgnoreCurrent(), heap: liveHeap()}
}

// check fails t unless a normal test completes, the goroutines are back to
// the rest's within 10 s, and the live heap is within heapSlack of it.
func (r rest) check(t *testing.T, ts *testServer) {
	t.Helper()
	normalTest(t, ts)
	waitFor(t, func() bool { return ts.activeTests() == 0 })
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if err = goleak.Find(r.goroutines); err == nil {
			break
		}
	}
	if err != nil {
		t.Errorf("goroutines did not return to the baseline: %v", err)
	}
	if h := liveHeap(); h > r.heap+heapSlack {
		t.Errorf("live heap %d MiB, was %d MiB at rest", h>>20, r.heap>>20)
	}
}

// normalTest runs a short forward TCP test, which must succeed.
func normalTest(t *testing.T, ts *testServer) {
	t.Helper()
	if _, _, err := runClient(t, ts.clientConfig(Spec{Duration: 200 * time.Millisecond})); err != nil {
		t.Errorf("a normal test: %v\nserver log:\n%s", err, ts.errs.String())
	}
}

// liveHeap returns the bytes of live heap objects after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// hostileTimeout is the hardening tests' control timeout: short, so that
// silent peers are dropped within the test.
const hostileTimeout = 500 * time.Millisecond

// TestHostileControlPeers sends the control port what a broken or hostile
// peer might, each case on its own. The server must close the connection
// within its control timeout, allocate no more than the bytes that came,
// and afterwards serve a normal test with its goroutines and heap back
// where they were.
func TestHostileControlPeers(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	noise := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	cookie := func() []byte { c := wire.NewCookie(); return c[:] }
	frame := func(body string) []byte {
		return binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	}
	params := func(body string) [][]byte { return [][]byte{cookie(), append(frame(body), body...)} }
	tests := []struct {
		name string
		send [][]byte // written in turn
	}{
		{"random bytes", [][]byte{noise(64 << 10)}},
		{"an HTTP request", [][]byte{[]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")}},
		{"never speaks", nil},
		{"half a cookie then close", [][]byte{cookie()[:20]}},
		{"a 2 GB length prefix", [][]byte{cookie(), {0x7f, 0xff, 0xff, 0xff}}},
		{"a 16 MiB length prefix", [][]byte{cookie(), {0x00, 0xff, 0xff, 0xff}, []byte(`{"tcp":`)}},
		{"parameters not JSON", params("{not json")},
		{"wrong types", params(`{"tcp":true,"parallel":"4","len":131072,"time":1}`)},
		{"negative values", params(`{"tcp":true,"parallel":1,"len":-5,"time":-1}`)},
		{"an array", params(`[1,2,3]`)},
		{"129 streams", params(`{"tcp":true,"parallel":129,"len":131072,"time":1}`)},
		{"no streams come", params(`{"tcp":true,"parallel":2,"len":1024,"time":1}`)},
		{"a data connection with an unknown cookie", [][]byte{cookie(), noise(256 << 10)}},
	}
	ts := startServer(t, ServerConfig{ControlTimeout: hostileTimeout}, JSON)
	base := atRest(t, ts)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := totalAlloc()
			conn, err := net.Dial("tcp", ts.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			var sent int
			for _, b := range tt.send {
				n, _ := conn.Write(b) // the server may close before all of it
				sent += n
			}
			closedWithin(t, conn, hostileTimeout+3*time.Second)
			waitFor(t, func() bool { return ts.activeTests() == 0 })
			if n := totalAlloc() - before; n > uint64(sent)+heapSlack {
				t.Errorf("the server allocated %d MiB for %d bytes", n>>20, sent)
			}
			base.check(t, ts)
		})
	}
}

// setCaps changes ts's caps on connections without a cookie.
func (ts *testServer) setCaps(c unnamedCaps) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.caps = c
}

// silentConns opens n connections to ts from the address from that never
// speak, and returns how many of them the server kept open.
func silentConns(t *testing.T, ts *testServer, from string, n int) (conns []net.Conn, open int) {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	for range n {
		c, err := d.Dial("tcp", ts.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		conns = append(conns, c)
	}
	waitFor(t, func() bool {
		return ts.heldNameless() == min(n, ts.capsNow().perHost) || ts.heldNameless() == ts.capsNow().total
	})
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() {
			_ = c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
			if _, err := c.Read(make([]byte, 1)); isTimeout(err) {
				mu.Lock()
				open++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return conns, open
}

// heldNameless and capsNow read the server's count and caps.
func (ts *testServer) heldNameless() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.nameless
}

func (ts *testServer) capsNow() unnamedCaps {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.caps
}

// allClosed waits until the server has closed every connection.
func allClosed(t *testing.T, conns []net.Conn) {
	t.Helper()
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() { closedWithin(t, c, 10*time.Second) })
	}
	wg.Wait()
}

// TestManySilentConnections floods the server with connections from one
// host that never speak: all but the per-host cap are closed at once, a
// normal test from another address runs beside them, and once the control
// timeout has dropped the rest, nothing of them is left.
func TestManySilentConnections(t *testing.T) {
	ts := startServer(t, ServerConfig{ControlTimeout: 2 * time.Second, MaxTests: 1}, JSON)
	ts.setCaps(unnamedCaps{perHost: 64, total: 1000})
	base := atRest(t, ts)
	conns, open := silentConns(t, ts, "127.0.0.2", 300)
	normalTest(t, ts)
	if open != 64 {
		t.Errorf("%d silent connections from one host kept open, want 64", open)
	}
	allClosed(t, conns)
	base.check(t, ts)
}

// TestSilentConnectionsTotal: hosts together may hold no more connections
// without a cookie than the total cap; once the control timeout has
// dropped them, the server serves again.
func TestSilentConnectionsTotal(t *testing.T) {
	ts := startServer(t, ServerConfig{ControlTimeout: 2 * time.Second}, JSON)
	ts.setCaps(unnamedCaps{perHost: 64, total: 100})
	base := atRest(t, ts)
	a, openA := silentConns(t, ts, "127.0.0.2", 64)
	b, openB := silentConns(t, ts, "127.0.0.3", 64)
	if openA != 64 || openB != 36 {
		t.Errorf("kept %d and %d silent connections from two hosts, want 64 and 36 (total 100)", openA, openB)
	}
	allClosed(t, append(a, b...))
	base.check(t, ts)
}

// TestManyStreamsOneHost: with the default caps, a host may hold a whole
// test's connections at once before any cookie is read (MaxStreams each
// way and the control connection), and a real test of that size runs.
func TestManyStreamsOneHost(t *testing.T) {
	ts := startServer(t, ServerConfig{ControlTimeout: 2 * time.Second}, JSON)
	want := 2*MaxStreams + 1
	conns, open := silentConns(t, ts, "127.0.0.2", want)
	if open != want {
		t.Errorf("kept %d of %d connections from one host, want all", open, want)
	}
	allClosed(t, conns)
	cfg := ts.clientConfig(Spec{Streams: MaxStreams, Direction: Bidir, Duration: 500 * time.Millisecond, Length: 16 << 10})
	if _, _, err := runClient(t, cfg); err != nil {
		t.Errorf("a test of %d streams each way: %v", MaxStreams, err)
	}
}

// closedWithin reads conn until the server closes it, failing t if that
// takes longer than d.
func closedWithin(t *testing.T, conn net.Conn, d time.Duration) {
	t.Helper()
	start := time.Now()
	_ = conn.SetReadDeadline(start.Add(d))
	_, err := io.Copy(io.Discard, conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Errorf("the server kept the connection open for %v", d)
	}
}

// totalAlloc returns the bytes allocated so far.
func totalAlloc() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.TotalAlloc
}

// TestUDPStrangers sends datagrams from strangers to the server's UDP port
// while UDP tests run, forward and reverse: random bytes, bare connect
// datagrams, and connects carrying a cookie no test has, from the client's
// address and from another one. The tests' streams and accounts must be
// untouched: one stream each, nothing out of order, and sent = received
// + lost.
func TestUDPStrangers(t *testing.T) {
	ts := startServer(t, ServerConfig{}, JSON)
	base := atRest(t, ts)
	for _, dir := range []Direction{Forward, Reverse} {
		t.Run(dir.String(), func(t *testing.T) {
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for _, from := range []string{"127.0.0.1", "127.0.0.2"} {
				wg.Go(func() { stranger(t, from, ts.port, stop) })
			}
			sp := Spec{Proto: UDP, Direction: dir, Length: 1200, Bitrate: 100e6, Duration: time.Second}
			cfg := ts.clientConfig(sp)
			sum, _, err := runClient(t, cfg)
			close(stop)
			wg.Wait()
			if err != nil {
				t.Fatalf("UDP test beside strangers: %v\nserver log:\n%s", err, ts.errs.String())
			}
			checkSummary(t, &cfg.Spec, sum)
			if !strings.Contains(ts.notes.String(), "matches no test") {
				t.Error("no stranger's connect datagram reached the server")
			}
			for _, s := range sum.Streams {
				if u := s.Receiver.UDP; u == nil || u.OutOfOrder != 0 || u.Duplicates != 0 {
					t.Errorf("stream %d: receiver's account %+v", s.ID, u)
				}
			}
			base.check(t, ts)
		})
	}
}

// TestUDPStrangersStockClient does the same beside a stock iperf3 client,
// whose connect datagrams carry no cookie: strangers on another address
// must not take its test's stream.
func TestUDPStrangersStockClient(t *testing.T) {
	bin := iperf3(t)
	ts := startServer(t, ServerConfig{}, JSON)
	base := atRest(t, ts)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { stranger(t, "127.0.0.2", ts.port, stop) })
	n := len(serverDocs(t, ts.out.String()))
	cli, srv := iperf3ClientAgainst(t, bin, ts, n, []string{"-c", "127.0.0.1", "-p", strconv.Itoa(ts.port), "-J", "-u", "-b", "100M", "-l", "1200", "-t", "1"})
	close(stop)
	wg.Wait()
	if streams, _ := path(srv, "end", "streams").([]any); len(streams) != 1 {
		t.Errorf("the server's test has %d streams, want 1", len(streams))
	}
	for _, field := range []string{"packets", "lost_packets"} {
		if c, s := num(cli, "end", "sum_received", field), num(srv, "end", "sum_received", field); c != s {
			t.Errorf("sum_received.%s: iperf3 client says %v, goperf server %v", field, c, s)
		}
	}
	if num(srv, "end", "sum_received", "packets") <= 0 {
		t.Error("the server received nothing")
	}
	if !strings.Contains(ts.notes.String(), "matches no test") {
		t.Error("no stranger's connect datagram reached the server")
	}
	base.check(t, ts)
}

// stranger sends bounded junk to port from the address from until stop.
func stranger(t *testing.T, from string, port int, stop <-chan struct{}) {
	conn, err := net.DialUDP("udp4", &net.UDPAddr{IP: net.ParseIP(from)}, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		t.Errorf("stranger at %s: %v", from, err)
		return
	}
	defer conn.Close()
	rng := rand.New(rand.NewPCG(uint64(port), 7))
	junk := make([]byte, 1500)
	fake := wire.NewCookie()
	kinds := [][]byte{wire.UDPConnect[:], wire.UDPConnectLegacy[:], append(wire.UDPConnect[:], fake[:]...), nil}
	for i := range 5000 {
		select {
		case <-stop:
			return
		case <-time.After(200 * time.Microsecond):
		}
		b := kinds[i%len(kinds)]
		if b == nil {
			b = junk[:1+rng.IntN(len(junk)-1)]
			for j := range b {
				b[j] = byte(rng.Uint32())
			}
		}
		_, _ = conn.Write(b) // ECONNREFUSED from an earlier datagram is fine
	}
}

// TestLoad runs 20 clients of 4 streams each at once, TCP and UDP, every
// direction: all complete with consistent accounts, and the server's
// goroutines and heap come back to rest. The rates are capped so that the
// test stays short on two cores under the race detector.
func TestLoad(t *testing.T) {
	const clients = 20
	ts := startServer(t, ServerConfig{MaxTests: clients}, JSON)
	base := atRest(t, ts)
	modes := []Spec{
		{Direction: Forward, Bitrate: 50e6},
		{Direction: Reverse, Bitrate: 50e6},
		{Direction: Bidir, Bitrate: 25e6},
		{Proto: UDP, Length: 1400, Bitrate: 20e6},
		{Proto: UDP, Direction: Reverse, Length: 1400, Bitrate: 20e6},
	}
	var wg sync.WaitGroup
	start := time.Now()
	for i := range clients {
		sp := modes[i%len(modes)]
		sp.Streams, sp.Duration = 4, time.Second
		wg.Go(func() {
			cfg := ts.clientConfig(sp)
			sum, _, err := runClient(t, cfg)
			if err != nil {
				t.Errorf("client %d (%v %v): %v", i, sp.Proto, sp.Direction, err)
				return
			}
			checkSummary(t, &cfg.Spec, sum)
		})
	}
	wg.Wait()
	t.Logf("%d clients × 4 streams done in %v", clients, time.Since(start).Round(time.Millisecond))
	if docs := serverDocs(t, ts.out.String()); len(docs) != clients+1 {
		t.Errorf("the server reported %d tests, want %d", len(docs), clients+1)
	}
	base.check(t, ts)
}

// TestStreamsArrivedLog: a client that opens fewer data streams than it
// asked for is refused when the control timeout passes, and the server's
// log line says how many came.
func TestStreamsArrivedLog(t *testing.T) {
	ts := startServer(t, ServerConfig{ControlTimeout: hostileTimeout}, JSON)
	conn, err := net.Dial("tcp", ts.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	cookie := wire.NewCookie()
	expect := func(want wire.State) {
		t.Helper()
		if st, err := wire.ReadState(conn); err != nil || st != want {
			t.Fatalf("waiting for %v: %v, %v", want, st, err)
		}
	}
	if _, err := conn.Write(cookie[:]); err != nil {
		t.Fatal(err)
	}
	expect(wire.ParamExchange)
	body := `{"tcp":true,"parallel":3,"len":1024,"time":1}`
	if _, err := conn.Write(append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...)); err != nil {
		t.Fatal(err)
	}
	expect(wire.CreateStreams)
	for range 2 {
		data, err := net.Dial("tcp", ts.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer data.Close()
		if _, err := data.Write(cookie[:]); err != nil {
			t.Fatal(err)
		}
	}
	closedWithin(t, conn, hostileTimeout+3*time.Second)
	waitFor(t, func() bool { return ts.activeTests() == 0 })
	if log := ts.errs.String(); !strings.Contains(log, "2 of 3 data streams arrived") {
		t.Errorf("server log:\n%s", log)
	}
}
