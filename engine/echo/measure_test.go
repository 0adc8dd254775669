package echo

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/goperf/goperf/engine/output"
)

// TestMeasure runs closed- and open-loop measurements over TCP and UDP and
// checks the counts, the percentiles' order and the JSON document.
func TestMeasure(t *testing.T) {
	tests := []struct {
		name string
		m    MeasureConfig
	}{
		{"closed count", MeasureConfig{Size: 64, Count: 500, Conns: 1, Warmup: 20 * time.Millisecond}},
		{"closed time P3", MeasureConfig{Size: 100, Duration: 300 * time.Millisecond, Conns: 3}},
		{"closed no spin", MeasureConfig{Size: 64, Count: 300, Conns: 1, Spin: -1}},
		{"open count P2", MeasureConfig{Size: 64, Count: 400, Conns: 2, Rate: 4000, Warmup: 20 * time.Millisecond}},
		{"open time", MeasureConfig{Size: 1000, Duration: 300 * time.Millisecond, Conns: 1, Rate: 2000}},
	}
	eachProto(t, func(t *testing.T, proto Proto) {
		ts := startServer(t, ServerConfig{Proto: proto})
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				out, w, _ := testOutput(output.JSON)
				sum, err := Measure(context.Background(), ts.client(proto), tt.m, out)
				if err != nil {
					t.Fatal(err)
				}
				checkSummary(t, sum, &tt.m)
				if want := spins(&tt.m); (sum.Spin > 0) != want {
					t.Errorf("busy-poll window %v, want polling %v", sum.Spin, want)
				}
				var doc jsonSummary
				if err := json.Unmarshal([]byte(w.String()), &doc); err != nil {
					t.Fatalf("-J output: %v\n%s", err, w)
				}
				if doc.Echoed != sum.Echoed || doc.RTT.P50 != us(sum.RTT.P50) || doc.Protocol != network(proto) {
					t.Errorf("JSON %+v disagrees with the summary %+v", doc, sum)
				}
			})
		}
	})
}

// checkSummary checks a clean run's summary.
func checkSummary(t *testing.T, sum *Summary, m *MeasureConfig) {
	t.Helper()
	if sum.Errors != 0 || sum.Mismatched != 0 || sum.Lost != 0 || sum.Echoed != sum.Sent {
		t.Errorf("sent %d echoed %d errors %d mismatched %d lost %d (late %d)", sum.Sent, sum.Echoed, sum.Errors, sum.Mismatched, sum.Lost, sum.Late)
	}
	if m.Count > 0 && sum.Sent != m.Count {
		t.Errorf("sent %d, want %d", sum.Sent, m.Count)
	}
	if sum.Echoed == 0 || sum.MessagesPerSecond() <= 0 {
		t.Fatalf("nothing measured: %+v", sum)
	}
	l := sum.RTT
	ordered := []time.Duration{l.Min, l.P50, l.P90, l.P99, l.P999, l.P9999, l.Max}
	for i := 1; i < len(ordered); i++ {
		if ordered[i] < ordered[i-1] {
			t.Errorf("percentiles out of order: %v", ordered)
		}
	}
	if l.Min <= 0 || l.Max > 5*time.Second || l.Mean < l.Min || l.Mean > l.Max {
		t.Errorf("implausible round trips: %+v", l)
	}
}

// TestMeasureText checks the text report's lines.
func TestMeasureText(t *testing.T) {
	ts := startServer(t, ServerConfig{})
	out, w, _ := testOutput(output.Text)
	if _, err := Measure(context.Background(), ts.client(TCP), MeasureConfig{Size: 64, Count: 50, Conns: 1}, out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Dialing 127.0.0.1:", "closed loop: 64-byte messages, 1 connection",
		"50 sent, 50 echoed", "0 mismatched, 0 lost", "p50 ", "p99.99 ", "stddev "} {
		if !strings.Contains(w.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, w)
		}
	}
}

// TestMeasureConfigErrors rejects bad measurements before dialling.
func TestMeasureConfigErrors(t *testing.T) {
	tests := []struct {
		m    MeasureConfig
		want string
	}{
		{MeasureConfig{Size: 8, Count: 1, Conns: 1}, "at least 16 bytes"},
		{MeasureConfig{Size: 70000, Count: 1, Conns: 1}, "at most 65507"},
		{MeasureConfig{Size: 64, Count: 1}, "connections must be 1 or more"},
		{MeasureConfig{Size: 64, Conns: 1}, "a duration or a message count"},
	}
	for _, tt := range tests {
		out, _, _ := testOutput(output.Text)
		_, err := Measure(context.Background(), ClientConfig{Proto: UDP, Port: 1}, tt.m, out)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: got %v, want %q", tt.m, err, tt.want)
		}
	}
}

// TestMeasureInterrupted reports what was measured and ErrInterrupted.
func TestMeasureInterrupted(t *testing.T) {
	ts := startServer(t, ServerConfig{})
	for _, rate := range []float64{0, 1000} {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		out, _, _ := testOutput(output.JSON)
		sum, err := Measure(ctx, ts.client(TCP), MeasureConfig{Size: 64, Duration: time.Minute, Conns: 2, Rate: rate}, out)
		if err != output.ErrInterrupted || sum == nil {
			t.Errorf("rate %v: got %v, want ErrInterrupted and a summary", rate, err)
		}
	}
}

// TestServerGoneMidRun ends a measurement promptly with an error when the
// server goes away, closed and open loop, TCP and UDP.
func TestServerGoneMidRun(t *testing.T) {
	eachProto(t, func(t *testing.T, proto Proto) {
		for _, rate := range []float64{0, 2000} {
			ts := startServer(t, ServerConfig{Proto: proto})
			time.AfterFunc(300*time.Millisecond, ts.stop)
			out, _, _ := testOutput(output.JSON)
			start := time.Now()
			m := MeasureConfig{Size: 64, Duration: 10 * time.Second, Conns: 2, Rate: rate}
			cfg := ts.client(proto)
			cfg.LostTimeout = 500 * time.Millisecond // a UDP echo that will never come is noticed by its absence
			sum, err := Measure(context.Background(), cfg, m, out)
			if err == nil || sum == nil || sum.Errors == 0 {
				t.Errorf("rate %v: got %v and %+v, want failed connections", rate, err, sum)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("rate %v: took %v to notice", rate, d)
			}
			t.Logf("rate %v: %v", rate, err)
		}
	})
}
