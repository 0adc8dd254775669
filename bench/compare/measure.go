package main

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"

	"github.com/goperf/goperf/bench"
)

// row is one case's figures: each tool's medians and runs.
type row struct {
	Case  string
	Tools []toolResult
}

// toolResult is one tool's runs of a case.
type toolResult struct {
	Name        string
	Gbps        float64   // median receiver rate
	LostPct     float64   // UDP: median loss
	Runs        []float64 // receiver Gbit/s of each round
	ClientCPU   float64   // median, percent of one core; 0 where the tool does not say
	ServerCPU   float64
	Skipped     string  `json:",omitempty"` // why the tool did not run this case
	GoperfRatio float64 `json:"goperf_ratio,omitempty"`
}

// measure runs every tool that can run c, alternately, rounds times.
func measure(ctx context.Context, tools []bench.Tool, c bench.Case, rounds int) (row, error) {
	r := row{Case: c.String()}
	var run []bench.Tool
	for _, t := range tools {
		if t.Iperf2 && c.UDP {
			r.Tools = append(r.Tools, toolResult{Name: t.Name, Skipped: "TCP only here"})
			continue
		}
		if why := lacks(t, c.Flags); why != "" {
			r.Tools = append(r.Tools, toolResult{Name: t.Name, Skipped: why})
			continue
		}
		if c.UDP && strings.HasPrefix(t.Name, "iperf3") && supportsGSRO(t.Path) {
			t.Extra = append(slices.Clone(t.Extra), "--gsro") // its UDP offload, as goperf uses its own
		}
		run = append(run, t)
	}
	res, err := bench.Alternate(ctx, run, c, rounds)
	if err != nil {
		return r, fmt.Errorf("%s: %w", c, err)
	}
	var goperf float64
	for _, t := range run {
		rs := res[t.Name]
		tr := toolResult{Name: t.Name, Runs: bench.Pick(rs, bench.ReceiverGbps),
			Gbps: bench.Median(bench.Pick(rs, bench.ReceiverGbps)), LostPct: bench.Median(bench.Pick(rs, bench.LostPercent)),
			ClientCPU: bench.Median(bench.Pick(rs, func(r bench.Result) float64 { return r.ClientCPU })),
			ServerCPU: bench.Median(bench.Pick(rs, func(r bench.Result) float64 { return r.ServerCPU }))}
		if t.Name == "goperf" {
			goperf = tr.Gbps
		}
		r.Tools = append(r.Tools, tr)
	}
	for i := range r.Tools {
		if g := r.Tools[i].Gbps; g > 0 && r.Tools[i].Name != "goperf" {
			r.Tools[i].GoperfRatio = goperf / g
		}
	}
	slices.SortStableFunc(r.Tools, func(a, b toolResult) int { return index(tools, a.Name) - index(tools, b.Name) })
	return r, nil
}

func index(tools []bench.Tool, name string) int {
	return slices.IndexFunc(tools, func(t bench.Tool) bool { return t.Name == name })
}

// lacks says why t cannot run a case with flags ("" when it can): iperf
// 2 takes none of them, an iperf3 those its --help lists.
func lacks(t bench.Tool, flags []string) string {
	if len(flags) == 0 || strings.HasPrefix(t.Name, "goperf") {
		return ""
	}
	if t.Iperf2 {
		return "no " + strings.Join(flags, " ")
	}
	out, _ := exec.Command(t.Path, "--help").CombinedOutput()
	for _, f := range flags {
		if !strings.Contains(string(out), f) {
			return "no " + f
		}
	}
	return ""
}

// supportsGSRO reports whether an iperf3 binary has --gsro (3.21+).
func supportsGSRO(path string) bool {
	out, _ := exec.Command(path, "--help").CombinedOutput()
	return strings.Contains(string(out), "--gsro")
}
