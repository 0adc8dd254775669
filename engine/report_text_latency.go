package engine

import (
	"fmt"
	"strings"
	"time"
)

// --latency in the text report: a [RTT] line under each interval, and the
// idle and loaded figures after the summary.

// latencyLabel starts every --latency line, in the place of a stream's.
const latencyLabel = "[RTT]"

// latencyInterval prints an interval's round trips, if it has any figures.
func (t *textReporter) latencyInterval(iv *Interval) {
	l := iv.Latency
	if l == nil {
		return
	}
	t.printf("%s %6.2f-%-6.2f sec  %s\n", latencyLabel, iv.Start.Seconds(), iv.End.Seconds(), latencyText(l))
}

// latencyText is a Latency in one line. TCP_INFO readings are a few
// kernel averages: their median and largest say all they can.
func latencyText(l *Latency) string {
	var b strings.Builder
	switch {
	case l.Count == 0:
		fmt.Fprintf(&b, "no round trip answered (%d unanswered)", l.Unanswered)
	case l.Source == LatencyTCPInfo:
		fmt.Fprintf(&b, "TCP_INFO RTT p50 %s  max %s  (%s)", msText(l.P50), msText(l.Max), plural(l.Count, "reading"))
	default:
		fmt.Fprintf(&b, "p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  RPM %.0f  (%s",
			msText(l.P50), msText(l.P90), msText(l.P99), msText(l.P999), msText(l.Max), l.RPM, plural(l.Count, "round trip"))
		if l.Unanswered > 0 {
			fmt.Fprintf(&b, ", %d unanswered", l.Unanswered)
		}
		b.WriteString(")")
	}
	return b.String()
}

// plural is n and noun, with an s unless n is 1.
func plural(n uint64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// msText writes a round trip in milliseconds, to about three places.
func msText(d time.Duration) string {
	ms := float64(d) / 1e6
	switch {
	case ms < 10:
		return fmt.Sprintf("%.3f ms", ms)
	case ms < 100:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 1000:
		return fmt.Sprintf("%.1f ms", ms)
	}
	return fmt.Sprintf("%.0f ms", ms)
}

// latencySummary prints the test's idle and loaded latency.
func (t *textReporter) latencySummary(r *LatencyReport) {
	if r == nil {
		return
	}
	if r.Note != "" {
		t.printf("%s %s\n", latencyLabel, r.Note)
	}
	if r.Source == LatencyNone {
		return
	}
	idle := "idle  "
	if r.Source == LatencyTCPInfo {
		idle = "idle (control connection)"
	}
	t.printf("%s %s  %s\n", latencyLabel, idle, latencyText(&r.Idle))
	t.printf("%s loaded  %s\n", latencyLabel, latencyText(&r.Loaded))
	if r.Idle.P50 > 0 && r.Loaded.Count > 0 {
		t.printf("%s under load the median round trip is %.1f× the idle one\n", latencyLabel, float64(r.Loaded.P50)/float64(r.Idle.P50))
	}
}
