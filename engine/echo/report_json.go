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
	Protocol   string             `json:"protocol"`
	Mode       string             `json:"mode"` // "closed-loop" or "open-loop"
	Server     string             `json:"server"`
	Size       int                `json:"message_size"`
	Conns      int                `json:"connections"`
	Rate       float64            `json:"target_rate,omitempty"`
	Warmup     float64            `json:"warmup_seconds"`
	Seconds    float64            `json:"seconds"`
	Sent       uint64             `json:"sent"`
	Echoed     uint64             `json:"echoed"`
	Mismatched uint64             `json:"mismatched"`
	Lost       uint64             `json:"lost"`
	Late       uint64             `json:"late"`
	Errors     int                `json:"errors"`
	PerSecond  float64            `json:"messages_per_second"`
	RTT        map[string]float64 `json:"rtt_us"`
	SendLag    map[string]float64 `json:"send_lag_us,omitempty"`
}

// writeJSON writes the summary as one indented JSON document.
func (s *Summary) writeJSON(w io.Writer) error {
	doc := jsonSummary{
		Protocol: s.Proto.String(), Mode: "closed-loop", Server: s.Server, Size: s.Size, Conns: s.Conns,
		Warmup: s.Warmup.Seconds(), Seconds: s.Duration.Seconds(),
		Sent: s.Sent, Echoed: s.Echoed, Mismatched: s.Mismatched, Lost: s.Lost, Late: s.Late,
		Errors: s.Errors, PerSecond: s.MessagesPerSecond(), RTT: map[string]float64{},
	}
	for _, f := range s.RTT.figures() {
		doc.RTT[f.key] = us(f.d)
	}
	if s.OpenLoop {
		doc.Mode, doc.Rate = "open-loop", s.Rate
		doc.SendLag = map[string]float64{"mean": us(s.SendLag.Mean), "max": us(s.SendLag.Max)}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// us returns d in microseconds, rounded to the nanosecond.
func us(d time.Duration) float64 { return float64(d) / 1e3 }
