package engine

import (
	"testing"
	"time"

	"github.com/goperf/goperf/sockopt"
)

// The probe against a goperf server on loopback, TCP and UDP: the idle
// baseline is its 20 round trips; every interval carries the round trips
// that ended in it; the test's figures leave out the omit period's, so
// they hold no more round trips, answered or not, than were due from its
// end to the test's.
func TestProbeAgainstGoperf(t *testing.T) {
	ts := startServer(t, ServerConfig{}, Text)
	const rate = 200.0
	for _, proto := range []Proto{TCP, UDP} {
		spec := Spec{Proto: proto, Latency: true, Duration: 500 * time.Millisecond, Omit: time.Second}
		if proto == UDP {
			spec.Length, spec.Bitrate = 1400, 10e6
		}
		cfg := ts.clientConfig(spec)
		cfg.Interval, cfg.LatencyRate = 250*time.Millisecond, rate
		sum, doc, err := runClient(t, cfg)
		if err != nil {
			t.Fatalf("%v: %v", proto, err)
		}
		l := sum.Latency
		if l == nil || l.Source != LatencyProbe || l.Idle.Count != idleProbes || l.Rate != rate {
			t.Fatalf("%v: latency %+v, want the probe's, %d idle round trips at %g/s", proto, l, idleProbes, rate)
		}
		// The probe stops before the test's end, which the client's
		// sender side measures from the omit period's; one message may be
		// in its write as it stops, one is due at the start.
		due := uint64(rate*sum.Forward.Sender.Seconds) + 2
		if got := l.Loaded.Count + l.Loaded.Unanswered; got == 0 || got > due {
			t.Errorf("%v: %d answered + %d unanswered after the omit period, want 1 to %d (%.3f s at %g/s)",
				proto, l.Loaded.Count, l.Loaded.Unanswered, due, sum.Forward.Sender.Seconds, rate)
		}
		if l.Loaded.P50 <= 0 || l.Loaded.Max < l.Loaded.P99 || l.Loaded.P99 < l.Loaded.P50 || l.Loaded.RPM <= 0 {
			t.Errorf("%v: loaded %+v: figures out of order", proto, l.Loaded)
		}
		ivs, _ := path(doc, "intervals").([]any)
		var omitted float64
		for i := range ivs {
			n := num(doc, "intervals", i, "goperf", "latency", "count")
			if path(doc, "intervals", i, "sum", "omitted") == true {
				omitted += n
			}
			if n == 0 && num(doc, "intervals", i, "goperf", "latency", "unanswered") == 0 {
				t.Errorf("%v: interval %d: no round trip answered or waiting", proto, i)
			}
		}
		if omitted < rate/2 {
			t.Errorf("%v: %g round trips in the omit period's intervals, want about %g", proto, omitted, rate)
		}
		if got := num(doc, "end", "goperf", "latency", "idle", "count"); got != idleProbes {
			t.Errorf("%v: end.goperf.latency.idle.count %g, want %d", proto, got, idleProbes)
		}
	}
}

// Against a stock iperf3 server, which never hears of the probe, a TCP
// test shows the streams' TCP_INFO RTT and a UDP test says nothing can
// measure it (so does TCP in a build without TCP_INFO); both end
// normally.
func TestProbeAgainstIperf3(t *testing.T) {
	bin := iperf3(t)
	for _, tt := range []struct {
		proto Proto
		want  LatencySource
	}{{TCP, LatencyTCPInfo}, {UDP, LatencyNone}} {
		spec := Spec{Proto: tt.proto, Streams: 1, Latency: true, Duration: 500 * time.Millisecond, Length: DefaultTCPLength}
		if tt.proto == UDP {
			spec.Length, spec.Bitrate = 1400, 10e6
		}
		sum, _ := goperfAgainstIperf3Server(t, bin, spec)
		if sum == nil {
			continue
		}
		l := sum.Latency
		if !sockopt.HasTCPInfo {
			tt.want = LatencyNone // the portable build: and it says why
		}
		if l == nil || l.Source != tt.want || l.Note == "" {
			t.Errorf("%v: latency %+v, want %q and a note", tt.proto, l, tt.want)
			continue
		}
		if tt.want == LatencyTCPInfo && (l.Loaded.Count == 0 || l.Loaded.P50 <= 0 || l.Idle.Count != 1) {
			t.Errorf("%v: loaded %+v, idle %+v: want a reading of the streams and one of the control connection", tt.proto, l.Loaded, l.Idle)
		}
	}
}

// A round trip is timed from when its message was due, so the probe's
// own lateness in sending it counts as the path's. Under a load too light
// to queue (UDP at 1 Mbit/s), the loaded p50 must stay near the idle
// one. A Go timer fires up to a millisecond late (the runtime waits in
// epoll in whole milliseconds), which put the loaded p50 about 550 µs
// above the idle; the probe's thread waits in ppoll with a fine timer
// slack, some microseconds late. The bound, 250 µs, is half the Go
// timer's median lateness. Through the poller (--io netconn) the report
// says its figures hold that lateness.
func TestProbeKeepsItsSchedule(t *testing.T) {
	ts := startServer(t, ServerConfig{}, Text)
	spec := Spec{Proto: UDP, Latency: true, Duration: time.Second, Length: 1400, Bitrate: 1e6}
	for _, mode := range []IOMode{IOAuto, IONetConn} {
		cfg := ts.clientConfig(spec)
		cfg.LatencyRate, cfg.IO = 200, mode
		sum, _, err := runClient(t, cfg)
		if err != nil {
			t.Fatalf("%v: %v", mode, err)
		}
		l := sum.Latency
		if l == nil || l.Loaded.Count < 100 {
			t.Fatalf("%v: latency %+v: want about 200 round trips", mode, l)
		}
		if mode == IONetConn || !sockopt.BlockingIO {
			if l.Note != polledNote {
				t.Errorf("%v: note %q, want %q", mode, l.Note, polledNote)
			}
			continue
		}
		const bound = 250 * time.Microsecond
		if late := l.Loaded.P50 - l.Idle.P50; late > bound || l.Note != "" {
			t.Errorf("%v: loaded p50 %v, idle p50 %v: %v later, want at most %v; note %q", mode, l.Loaded.P50, l.Idle.P50, late, bound, l.Note)
		}
	}
}
