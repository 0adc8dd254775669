package engine

import "time"

// --latency in the -J document: under goperf keys, in each interval and at
// the end. Times are in microseconds, as goecho's; percentile keys use "_"
// for the decimal point (p99_9) so that jq can name them without quotes.

// jsonIntervalExt is goperf's addition to an interval.
type jsonIntervalExt struct {
	Latency *jsonLatency `json:"latency,omitempty"`
}

// jsonLatency is a Latency.
type jsonLatency struct {
	Count      uint64    `json:"count"`
	Unanswered uint64    `json:"unanswered"`
	RTT        jsonRTTUs `json:"rtt_us"`
	RPM        float64   `json:"rpm"`
}

// jsonRTTUs is a Latency's round trips in microseconds.
type jsonRTTUs struct {
	Min  float64 `json:"min"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p99_9"`
	Max  float64 `json:"max"`
}

// jsonLatencyReport is a LatencyReport.
type jsonLatencyReport struct {
	Source LatencySource `json:"source"`
	Rate   float64       `json:"rate,omitempty"`
	Idle   jsonLatency   `json:"idle"`
	Loaded jsonLatency   `json:"loaded"`
	Note   string        `json:"note,omitempty"`
}

func newJSONLatency(l *Latency) *jsonLatency {
	if l == nil {
		return nil
	}
	return &jsonLatency{
		Count: l.Count, Unanswered: l.Unanswered, RPM: l.RPM,
		RTT: jsonRTTUs{Min: micros(l.Min), P50: micros(l.P50), P90: micros(l.P90), P99: micros(l.P99), P999: micros(l.P999), Max: micros(l.Max)},
	}
}

func newJSONLatencyReport(r *LatencyReport) *jsonLatencyReport {
	return &jsonLatencyReport{Source: r.Source, Rate: r.Rate, Idle: *newJSONLatency(&r.Idle), Loaded: *newJSONLatency(&r.Loaded), Note: r.Note}
}

// micros returns d in microseconds, to the nanosecond.
func micros(d time.Duration) float64 { return float64(d) / 1e3 }
