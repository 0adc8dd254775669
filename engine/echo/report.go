package echo

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/goperf/goperf/engine/output"
)

// Write writes the summary to out.W: text, or with output.JSON one JSON
// document.
func (s *Summary) Write(out output.Output) error {
	if out.Format == output.Text {
		return s.writeText(out.W)
	}
	return s.writeJSON(out.W)
}

// mode names the loop: "closed loop" or "open loop".
func (s *Summary) mode() string {
	if s.OpenLoop {
		return "open loop"
	}
	return "closed loop"
}

// writeText lays the summary out as a table, one figure a line, round
// trips in microseconds.
func (s *Summary) writeText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Round trips over %s to %s, %s", network(s.Proto), s.Server, s.mode())
	if s.OpenLoop {
		fmt.Fprintf(&b, " at %g messages/s", s.Rate)
	}
	fmt.Fprintf(&b, ": %d-byte messages, %s, %.2f s after a %.2f s warm-up\n",
		s.Size, plural(s.Conns, "connection"), s.Duration.Seconds(), s.Warmup.Seconds())
	fmt.Fprintf(&b, "  messages  %d sent, %d echoed, %.1f per second\n", s.Sent, s.Echoed, s.MessagesPerSecond())
	fmt.Fprintf(&b, "  errors    %s failed, %d mismatched, %d lost, %d late\n",
		plural(s.Errors, "connection"), s.Mismatched, s.Lost, s.Late)
	for _, f := range s.RTT.figures() {
		fmt.Fprintf(&b, "  %-8s %12s us\n", f.name, micros(f.d))
	}
	if s.Spin > 0 {
		fmt.Fprintf(&b, "  busy-poll %s us per echo before sleeping (--spin)\n", micros(s.Spin))
	}
	if s.OpenLoop {
		fmt.Fprintf(&b, "  send lag  mean %s us, max %s us (included in the round trips)\n",
			micros(s.SendLag.Mean), micros(s.SendLag.Max))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// figure is one named duration of a Latency.
type figure struct {
	name string
	d    time.Duration
}

// figures lists l's figures in report order.
func (l Latency) figures() []figure {
	return []figure{
		{"min", l.Min}, {"p50", l.P50}, {"p90", l.P90}, {"p99", l.P99}, {"p99.9", l.P999},
		{"p99.99", l.P9999}, {"max", l.Max}, {"mean", l.Mean}, {"stddev", l.Stddev},
	}
}

// micros formats d in microseconds with three decimals.
func micros(d time.Duration) string { return fmt.Sprintf("%.3f", float64(d)/1e3) }

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
