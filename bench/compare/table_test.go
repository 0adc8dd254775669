package main

import (
	"strings"
	"testing"

	"github.com/goperf/goperf/bench"
)

// TestMarkdown formats made-up rows: a column per tool, goperf's ratio to
// each other tool, loss for UDP, n/a where a tool did not run.
func TestMarkdown(t *testing.T) {
	tools := []bench.Tool{{Name: "goperf"}, {Name: "iperf3 3.12"}, {Name: "iperf2", Iperf2: true}}
	rows := []row{
		{Case: "len=128K/P=4", Tools: []toolResult{{Name: "goperf", Gbps: 30, ClientCPU: 104.6, ServerCPU: 80}, {Name: "iperf3 3.12", Gbps: 20, GoperfRatio: 1.5, ClientCPU: 99, ServerCPU: 60.4}, {Name: "iperf2", Gbps: 40, GoperfRatio: 0.75}}},
		{Case: "udp/len=1400/P=1", Tools: []toolResult{{Name: "goperf", Gbps: 20}, {Name: "iperf3 3.12", Gbps: 2.5, LostPct: 1.25, GoperfRatio: 8}, {Name: "iperf2", Skipped: "TCP only here"}}},
	}
	md := markdown(tools, rows, options{rounds: 3, seconds: 3})
	for _, want := range []string{
		"| case | goperf | iperf3 3.12 | goperf/iperf3 3.12 | iperf2 | goperf/iperf2 |",
		"| len=128K/P=4 | 30.00 | 20.00 | 1.50 | 40.00 | 0.75 |",
		"| udp/len=1400/P=1 | 20.00 (0.00%) | 2.50 (1.25%) | 8.00 | n/a | n/a |",
		"median of 3 rounds of 3 s",
		"| len=128K/P=4 | 105 / 80 | 99 / 60 | n/a |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("table lacks %q:\n%s", want, md)
		}
	}
}
