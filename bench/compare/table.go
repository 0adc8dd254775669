package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/goperf/goperf/bench"
)

// markdown formats the rows: a column per tool with its median Gbit/s,
// and for each other tool goperf's ratio to it.
func markdown(tools []bench.Tool, rows []row, o options) string {
	var b strings.Builder
	where := "loopback, each tool's own server"
	if o.remote != "" {
		where = "against the servers on " + o.remote
	}
	fmt.Fprintf(&b, "Receiver Gbit/s, median of %d rounds of %d s, tools alternating, %s; %s.\n"+
		"goperf/x is goperf's median over that tool's. UDP: 1400-byte datagrams, unlimited rate, loss in brackets.\n\n",
		o.rounds, o.seconds, where, time.Now().UTC().Format("2006-01-02 15:04 MST"))
	b.WriteString("| case |")
	for i, t := range tools {
		fmt.Fprintf(&b, " %s |", t.Name)
		if i > 0 {
			fmt.Fprintf(&b, " goperf/%s |", t.Name)
		}
	}
	b.WriteString("\n|---|")
	for i := range tools {
		b.WriteString("---:|")
		if i > 0 {
			b.WriteString("---:|")
		}
	}
	b.WriteString("\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s |", r.Case)
		for i, tr := range r.Tools {
			fmt.Fprintf(&b, " %s |", cell(tr, strings.HasPrefix(r.Case, "udp")))
			if i > 0 {
				fmt.Fprintf(&b, " %s |", ratio(tr))
			}
		}
		b.WriteString("\n")
	}
	cpuTable(&b, tools, rows)
	return b.String()
}

// cpuTable adds each tool's CPU use per case, as its -J document gives it.
func cpuTable(b *strings.Builder, tools []bench.Tool, rows []row) {
	b.WriteString("\nCPU, percent of one core, client / server, medians (iperf2 does not say):\n\n| case |")
	for _, t := range tools {
		fmt.Fprintf(b, " %s |", t.Name)
	}
	b.WriteString("\n|---|" + strings.Repeat("---:|", len(tools)) + "\n")
	for _, r := range rows {
		fmt.Fprintf(b, "| %s |", r.Case)
		for _, tr := range r.Tools {
			if tr.Skipped != "" || tr.ClientCPU == 0 {
				b.WriteString(" n/a |")
				continue
			}
			fmt.Fprintf(b, " %.0f / %.0f |", tr.ClientCPU, tr.ServerCPU)
		}
		b.WriteString("\n")
	}
}

func cell(tr toolResult, udp bool) string {
	switch {
	case tr.Skipped != "":
		return "n/a"
	case udp:
		return fmt.Sprintf("%.2f (%.2f%%)", tr.Gbps, tr.LostPct)
	}
	return fmt.Sprintf("%.2f", tr.Gbps)
}

func ratio(tr toolResult) string {
	if tr.GoperfRatio == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", tr.GoperfRatio)
}
