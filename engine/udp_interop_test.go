package engine

import (
	"strconv"
	"testing"
	"time"
)

// udpInteropModes are the UDP modes the interop tests run, as goperf specs
// and as iperf3 client flags.
var udpInteropModes = []struct {
	name  string
	spec  Spec
	flags []string
}{
	{"P2", Spec{Streams: 2}, []string{"-P", "2"}},
	{"reverse", Spec{Streams: 1, Direction: Reverse}, []string{"-R"}},
	{"bidir", Spec{Streams: 1, Direction: Bidir}, []string{"--bidir"}},
}

// TestUDPInteropGoperfClientIperf3Server runs goperf UDP clients against a
// stock iperf3 server: both exit 0 and agree on packets.
func TestUDPInteropGoperfClientIperf3Server(t *testing.T) {
	bin := iperf3(t)
	for _, m := range udpInteropModes {
		t.Run(m.name, func(t *testing.T) {
			spec := m.spec
			spec.Proto, spec.Length, spec.Bitrate, spec.Duration = UDP, 1400, 100e6, time.Second
			sum, srv := goperfAgainstIperf3Server(t, bin, spec)
			if sum == nil {
				return
			}
			checkUDPAccount(t, sum)
			compareUDPWithIperf3(t, sum, srv)
		})
	}
}

// compareUDPWithIperf3 checks that what iperf3 counted is what goperf
// reports, in each direction: as a receiver, iperf3's packets (received
// and lost) are what goperf says it counted, its lost packets goperf's
// lost, and what goperf sent beyond them is what iperf3 never counted
// (it stops at TEST_END, and a loaded machine may leave datagrams queued
// then); as a sender, its packets are what goperf received and lost.
func compareUDPWithIperf3(t *testing.T, sum *Summary, doc map[string]any) {
	t.Helper()
	check := func(what, key string, got, want float64) {
		t.Helper()
		if got != want || (key == "packets" && got <= 0) {
			t.Errorf("%s: iperf3's %s = %v, goperf's %v", what, key, got, want)
		}
	}
	receiver := func(what, key string, tot *Totals) {
		s, r := tot.Sender.UDP, tot.Receiver.UDP
		check(what, "packets", num(doc, "end", key, "packets"), float64(r.Packets+r.Lost))
		check(what, "lost_packets", num(doc, "end", key, "lost_packets"), float64(r.Lost))
		if s.Packets != r.Packets+r.Lost+r.Uncounted {
			t.Errorf("%s: goperf sent %d = %d received + %d lost + %d uncounted?", what, s.Packets, r.Packets, r.Lost, r.Uncounted)
		}
		if r.Uncounted > 0 {
			t.Logf("%s: iperf3 never counted %d of %d datagrams", what, r.Uncounted, s.Packets)
		}
	}
	sender := func(what, key string, tot *Totals) {
		s, r := tot.Sender.UDP, tot.Receiver.UDP
		check(what, "packets", num(doc, "end", key, "packets"), float64(s.Packets))
		check(what, "packets", num(doc, "end", key, "packets"), float64(r.Packets+r.Lost))
	}
	switch {
	case sum.Reverse != nil:
		receiver("client to server", "sum_received", &sum.Forward)
		sender("server to client", "sum_sent_bidir_reverse", sum.Reverse)
	case sum.Forward.Local:
		receiver("iperf3 received", "sum_received", &sum.Forward)
	default:
		sender("iperf3 sent", "sum_sent", &sum.Forward)
	}
}

// TestUDPInteropIperf3ClientGoperfServer runs stock iperf3 UDP clients
// against the goperf server: both exit 0 and their documents agree.
func TestUDPInteropIperf3ClientGoperfServer(t *testing.T) {
	bin := iperf3(t)
	ts := startServer(t, ServerConfig{}, JSON)
	for i, m := range udpInteropModes {
		t.Run(m.name, func(t *testing.T) {
			args := append([]string{"-c", "127.0.0.1", "-p", strconv.Itoa(ts.port), "-J", "-u", "-b", "100M", "-l", "1400", "-t", "1"}, m.flags...)
			cli, srv := iperf3ClientAgainst(t, bin, ts, i, args)
			for _, key := range []string{"sum_sent", "sum_received", "sum_sent_bidir_reverse", "sum_received_bidir_reverse"} {
				for _, field := range []string{"packets", "lost_packets"} {
					if c, s := num(cli, "end", key, field), num(srv, "end", key, field); c != s {
						t.Errorf("%s.%s: iperf3 client says %v, goperf server %v", key, field, c, s)
					}
				}
			}
			if num(cli, "end", "sum_received", "packets") <= 0 {
				t.Errorf("iperf3 reports nothing received: %v", path(cli, "end", "sum_received"))
			}
		})
	}
}
