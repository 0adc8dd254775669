package engine

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// The [RTT] lines: an interval's probe figures, the summary's idle and
// loaded ones with their ratio, the note of a server that cannot echo,
// and TCP_INFO readings shown as what they are.
func TestLatencyText(t *testing.T) {
	ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
	probe := Latency{Source: LatencyProbe, Count: 100, P50: ms(45.1), P90: ms(47), P99: ms(48.25), P999: ms(48.5), Max: ms(120), RPM: 1330, Unanswered: 2}
	idle := Latency{Source: LatencyProbe, Count: 20, P50: ms(0.05), P90: ms(0.06), P99: ms(0.07), P999: ms(0.07), Max: ms(0.07), RPM: 1.2e6}
	kernel := Latency{Source: LatencyTCPInfo, Count: 1, P50: ms(3), Max: ms(3)}
	for _, tt := range []struct {
		name string
		emit func(*textReporter)
		want []string
	}{
		{"interval", func(r *textReporter) {
			r.interval(&Interval{Start: time.Second, End: 2 * time.Second, Streams: []IntervalStream{{ID: 1, Socket: 5, Sender: true, Bytes: 1 << 20}}, Latency: &probe})
		}, []string{"[RTT]   1.00-2.00   sec  p50 45.10 ms  p90 47.00 ms  p99 48.25 ms  p99.9 48.50 ms  max 120.0 ms  RPM 1330  (100 round trips, 2 unanswered)\n"}},
		{"summary", func(r *textReporter) {
			r.latencySummary(&LatencyReport{Source: LatencyProbe, Rate: 100, Idle: idle, Loaded: probe})
		}, []string{
			"[RTT] idle    p50 0.050 ms  p90 0.060 ms  p99 0.070 ms  p99.9 0.070 ms  max 0.070 ms  RPM 1200000  (20 round trips)\n",
			"[RTT] loaded  p50 45.10 ms",
			"[RTT] under load the median round trip is 902.0× the idle one\n",
		}},
		{"tcp_info", func(r *textReporter) {
			r.latencySummary(&LatencyReport{Source: LatencyTCPInfo, Idle: kernel, Loaded: kernel, Note: "the server cannot echo"})
		}, []string{"[RTT] the server cannot echo\n", "[RTT] idle (control connection)  TCP_INFO RTT p50 3.000 ms  max 3.000 ms  (1 reading)\n"}},
		{"none", func(r *textReporter) {
			r.latencySummary(&LatencyReport{Source: LatencyNone, Note: "nothing measures it"})
		}, []string{"[RTT] nothing measures it\n"}},
	} {
		var buf bytes.Buffer
		r := &textReporter{out: Output{W: &buf}, client: true, info: &startInfo{spec: &Spec{Streams: 1, Proto: TCP}}}
		tt.emit(r)
		for _, w := range tt.want {
			if !strings.Contains(buf.String(), w) {
				t.Errorf("%s: no %q in\n%s", tt.name, w, buf.String())
			}
		}
		if tt.name == "none" && strings.Count(buf.String(), "\n") != 1 {
			t.Errorf("none: want the note alone, got\n%s", buf.String())
		}
	}
}
