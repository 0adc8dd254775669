package engine

import (
	"time"

	"github.com/goperf/goperf/engine/echo"
)

// Latency under load (--latency): what the reports show of it, whichever
// source measured it.

// LatencySource says what measured a test's latency.
type LatencySource string

// Latency sources.
const (
	// LatencyProbe: round trips of goperf's probe, which a goperf server
	// echoes on its own connection beside the data streams.
	LatencyProbe LatencySource = "probe"
	// LatencyTCPInfo: the kernel's RTT estimates of the data streams
	// (TCP_INFO), where the server cannot echo a probe.
	LatencyTCPInfo LatencySource = "tcp_info"
	// LatencyNone: nothing could measure it (a UDP test against a server
	// that is not goperf).
	LatencyNone LatencySource = "none"
)

// Latency summarises a set of round trips.
type Latency struct {
	Source LatencySource
	// Count is the round trips measured: answered probes, or TCP_INFO
	// readings (one per stream and interval).
	Count                         uint64
	Min, P50, P90, P99, P999, Max time.Duration
	// RPM is the responsiveness: round trips per minute at the trimmed
	// mean (the slowest 5% left out), as the IETF draft defines it.
	RPM float64
	// Unanswered counts probes sent but not answered when the figures
	// were taken: at an interval's end, or at the end of the test.
	Unanswered uint64
}

// LatencyReport is the latency of a whole test.
type LatencyReport struct {
	Source LatencySource
	Rate   float64 // probe: round trips per second asked
	// Idle is the path before the load: the probe's first round trips,
	// before the data streams connect, or the control connection's
	// TCP_INFO RTT.
	Idle Latency
	// Loaded is the path under the test's load, after the omit period.
	Loaded Latency
	// Note says why the source is not the probe, or what limits the
	// probe's figures; "" when nothing does.
	Note string
}

// trimmedQuantile is the share of round trips the responsiveness keeps.
const trimmedQuantile = 0.95

// latencyOf summarises h, measured by src; unanswered is carried as given.
func latencyOf(src LatencySource, h *echo.Histogram, unanswered uint64) Latency {
	l := Latency{Source: src, Count: h.Count(), Unanswered: unanswered}
	if l.Count == 0 {
		return l
	}
	l.Min, l.Max = h.Min(), h.Max()
	l.P50, l.P90, l.P99, l.P999 = h.Quantile(0.5), h.Quantile(0.9), h.Quantile(0.99), h.Quantile(0.999)
	if m := h.TrimmedMean(trimmedQuantile); m > 0 {
		l.RPM = float64(time.Minute) / float64(m)
	}
	return l
}

// latencySource gives the sampler each interval's latency and the test's.
// cut and rebase come from the sampler's goroutine, report after it
// stopped.
type latencySource interface {
	// cut returns the interval that ends now and starts the next.
	cut() *Latency
	// rebase starts the test's figures now: the omit period is over.
	rebase()
	// report returns the test's figures; the source measures no more.
	report() *LatencyReport
}

// noLatency is the source of a test nothing can measure the latency of.
type noLatency struct{ note string }

func (noLatency) cut() *Latency { return nil }
func (noLatency) rebase()       {}
func (n noLatency) report() *LatencyReport {
	return &LatencyReport{Source: LatencyNone, Note: n.note}
}
