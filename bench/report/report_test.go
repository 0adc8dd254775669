package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goperf/goperf/bench/attrib"
)

// TestParseMetrics reads a benchmark's result line.
func TestParseMetrics(t *testing.T) {
	out := "goos: linux\nBenchmarkTCPSweep/len=1K/P=1-2   \t       1\t1003628671 ns/op\t         6.628 Gbit/s\t 831520768 bytes\t      1236 ns/write\t    812032 writes\t  212512 B/op\t    2487 allocs/op\nPASS\n"
	m := parseMetrics(out)
	for unit, want := range map[string]float64{"Gbit/s": 6.628, "bytes": 831520768, "writes": 812032, "ns/op": 1003628671, "allocs/op": 2487} {
		if m[unit] != want {
			t.Errorf("%s = %v, want %v", unit, m[unit], want)
		}
	}
	if len(parseMetrics("PASS\n")) != 0 {
		t.Error("metrics from no result line")
	}
}

// synthetic makes sweep results that follow a + c·s exactly, with a
// profile for the profiled contenders.
func synthetic() ([]contender, [][][]sample) {
	cs := []contender{
		{name: "goperf", profile: true},
		{name: "plain Go loop", profile: true},
		{name: "plain loop, Nagle on", profile: true},
		{name: "iperf3"},
	}
	perCall := []float64{1000, 6000, 1200, 2000} // ns
	res := make([][][]sample, len(cs))
	for ci := range cs {
		for _, size := range sizes {
			ns := perCall[ci] + 0.3*float64(size)
			gbps := 8 * float64(size) / ns
			bd := &attrib.Breakdown{Total: 1e9}
			bd.Time[attrib.Syscall], bd.Time[attrib.Scheduler] = 9e8, 1e8
			writes := 2e9 / ns
			res[ci] = append(res[ci], []sample{{gbps: gbps, writes: writes, bytes: writes * float64(size), breakdown: bd}})
		}
	}
	return cs, res
}

// TestReportFiles writes the report and the chart from synthetic results:
// the fit finds the per-call costs the data were made with, and the text
// quotes them.
func TestReportFiles(t *testing.T) {
	cs, res := synthetic()
	rep := analyse(cs, res, machine{Kernel: "Linux test", CPU: "test CPU", Go: "go1.x", CPUs: 2}, 2, 1)
	for i, want := range []float64{1000, 6000, 1200, 2000} {
		if got := rep.curves[i].model.PerCall; got < want*0.999 || got > want*1.001 {
			t.Errorf("%s: a = %v, want %v", rep.curves[i].name, got, want)
		}
	}
	dir := t.TempDir()
	if err := writeChart(filepath.Join(dir, "throughput.svg"), rep); err != nil {
		t.Fatal(err)
	}
	if err := writeReport(filepath.Join(dir, "report.md"), rep); err != nil {
		t.Fatal(err)
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "throughput.svg"))
	if n := strings.Count(string(svg), "<polyline"); n != len(cs) || !strings.HasSuffix(string(svg), "</svg>\n") {
		t.Errorf("chart has %d lines for %d contenders", n, len(cs))
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	for _, want := range []string{
		"kernel: Linux test", "## Throughput, Gbit/s", "| goperf | 1.00 |", "| plain Go loop | 6.00 |", "| iperf3 | 2.00 |",
		"## The 128 KB anomaly", "fixed price, a, was 6.00 µs", "fell from 6.00 µs to 1.20 µs", "90.0%",
	} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("report:\n%s", md)
	}
}
