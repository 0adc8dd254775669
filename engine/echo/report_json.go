package echo

import (
	"encoding/json"
	"io"
	"time"
)

// jsonSummary is the -J document. Durations are in seconds, round trips in
// microseconds; percentile keys use "_" for the decimal point (p99_9) so
// that jq can name them without quotes.
type jsonSummary struct {
	Protocol   string      `json:"protocol"`
	Mode       string      `json:"mode"` // "closed-loop" or "open-loop"
	Server     string      `json:"server"`
	Size       int         `json:"message_size"`
	Conns      int         `json:"connections"`
	Rate       float64     `json:"target_rate,omitempty"`
	Warmup     float64     `json:"warmup_seconds"`
	Seconds    float64     `json:"seconds"`
	Sent       uint64      `json:"sent"`
	Echoed     uint64      `json:"echoed"`
	Mismatched uint64      `json:"mismatched"`
	Lost       uint64      `json:"lost"`
	Late       uint64      `json:"late"`
	Errors     int         `json:"errors"`
	PerSecond  float64     `json:"messages_per_second"`
	RTT        jsonLatency `json:"rtt_us"`
	SendLag    *jsonLag    `json:"send_lag_us,omitempty"`
	Spin       float64     `json:"busy_poll_us"`
}

// jsonLatency is a Latency in microseconds.
type jsonLatency struct {
	Min    float64 `json:"min"`
	P50    float64 `json:"p50"`
	P90    float64 `json:"p90"`
	P99    float64 `json:"p99"`
	P999   float64 `json:"p99_9"`
	P9999  float64 `json:"p99_99"`
	Max    float64 `json:"max"`
	Mean   float64 `json:"mean"`
	Stddev float64 `json:"stddev"`
}

// jsonLag is the open loop's send lag in microseconds.
type jsonLag struct {
	Mean float64 `json:"mean"`
	Max  float64 `json:"max"`
}

// writeJSON writes the summary as one indented JSON document.
func (s *Summary) writeJSON(w io.Writer) error {
	doc := jsonSummary{
		Protocol: network(s.Proto), Mode: "closed-loop", Server: s.Server, Size: s.Size, Conns: s.Conns,
		Warmup: s.Warmup.Seconds(), Seconds: s.Duration.Seconds(),
		Sent: s.Sent, Echoed: s.Echoed, Mismatched: s.Mismatched, Lost: s.Lost, Late: s.Late,
		Errors: s.Errors, PerSecond: s.MessagesPerSecond(), Spin: us(s.Spin),
		RTT: jsonLatency{
			Min: us(s.RTT.Min), P50: us(s.RTT.P50), P90: us(s.RTT.P90), P99: us(s.RTT.P99),
			P999: us(s.RTT.P999), P9999: us(s.RTT.P9999), Max: us(s.RTT.Max),
			Mean: us(s.RTT.Mean), Stddev: us(s.RTT.Stddev),
		},
	}
	if s.OpenLoop {
		doc.Mode, doc.Rate = "open-loop", s.Rate
		doc.SendLag = &jsonLag{Mean: us(s.SendLag.Mean), Max: us(s.SendLag.Max)}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// us returns d in microseconds, rounded to the nanosecond.
func us(d time.Duration) float64 { return float64(d) / 1e3 }
