package echo

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Percentiles reported, as fractions.
var percentiles = []struct {
	name string
	q    float64
}{{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p99.9", 0.999}, {"p99.99", 0.9999}}

// WriteText prints r for people.
func (r *Result) WriteText(w io.Writer) error {
	mode := "closed loop (ping-pong)"
	if r.OpenLoop {
		mode = fmt.Sprintf("open loop at %.0f messages/s", r.Rate)
	}
	h := &r.Hist
	us := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/1e3) }
	_, err := fmt.Fprintf(w, "goecho: %d-byte messages over %s, %d connection(s), %s, %.2f s measured (warm-up %v left out)\n",
		r.Size, r.Proto, r.Conns, mode, r.Elapsed.Seconds(), r.Warmup)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "messages: %d sent, %d echoed (%.0f/s), %d lost, %d late, %d mismatched, %d connection errors\n",
		r.Sent, r.Received, r.MessagesPerSecond(), r.Lost, r.Late, r.Mismatched, r.Errors)
	fmt.Fprintf(w, "round trip (µs): min %s", us(h.Min()))
	for _, p := range percentiles {
		fmt.Fprintf(w, "  %s %s", p.name, us(h.Quantile(p.q)))
	}
	_, err = fmt.Fprintf(w, "  max %s  mean %s  stddev %s\n", us(h.Max()), us(h.Mean()), us(h.StdDev()))
	return err
}

// jsonResult is the -J document.
type jsonResult struct {
	Protocol          string             `json:"protocol"`
	Mode              string             `json:"mode"` // "closed_loop" or "open_loop"
	Rate              float64            `json:"rate,omitempty"`
	Connections       int                `json:"connections"`
	MessageSize       int                `json:"message_size"`
	WarmupSeconds     float64            `json:"warmup_seconds"`
	Seconds           float64            `json:"seconds"`
	Sent              uint64             `json:"sent"`
	Received          uint64             `json:"received"`
	Lost              uint64             `json:"lost"`
	Late              uint64             `json:"late"`
	Mismatched        uint64             `json:"mismatched"`
	Errors            uint64             `json:"errors"`
	MessagesPerSecond float64            `json:"messages_per_second"`
	RTT               map[string]float64 `json:"rtt_us"`
}

// WriteJSON prints r as one JSON document; round trips in microseconds.
func (r *Result) WriteJSON(w io.Writer) error {
	h := &r.Hist
	us := func(d time.Duration) float64 { return float64(d) / 1e3 }
	rtt := map[string]float64{"min": us(h.Min()), "max": us(h.Max()), "mean": us(h.Mean()), "stddev": us(h.StdDev())}
	for _, p := range percentiles {
		rtt[p.name] = us(h.Quantile(p.q))
	}
	mode := "closed_loop"
	if r.OpenLoop {
		mode = "open_loop"
	}
	doc := jsonResult{
		Protocol: r.Proto, Mode: mode, Rate: r.Rate, Connections: r.Conns, MessageSize: r.Size,
		WarmupSeconds: r.Warmup.Seconds(), Seconds: r.Elapsed.Seconds(),
		Sent: r.Sent, Received: r.Received, Lost: r.Lost, Late: r.Late, Mismatched: r.Mismatched, Errors: r.Errors,
		MessagesPerSecond: r.MessagesPerSecond(), RTT: rtt,
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// WriteHistogram writes the distribution: one line per non-empty bucket
// with its middle value in µs, its count and the cumulative percentage.
func (r *Result) WriteHistogram(w io.Writer) error {
	if _, err := fmt.Fprintln(w, "# rtt_us count cumulative_percent"); err != nil {
		return err
	}
	var seen uint64
	var err error
	r.Hist.Buckets(func(v time.Duration, c uint64) {
		seen += c
		if err == nil {
			_, err = fmt.Fprintf(w, "%.3f %d %.4f\n", float64(v)/1e3, c, float64(seen)*100/float64(r.Hist.Count()))
		}
	})
	return err
}
