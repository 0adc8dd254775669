package main

import (
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"github.com/goperf/goperf/bench"
	"github.com/goperf/goperf/bench/attrib"
)

// writeReport writes report.md.
func writeReport(path string, rep *report) error {
	var b strings.Builder
	header(&b, rep)
	rateTable(&b, rep)
	modelTable(&b, rep)
	profileTables(&b, rep)
	explain(&b, rep)
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func header(b *strings.Builder, rep *report) {
	m := rep.machine
	fmt.Fprintf(b, "# Why small writes are slow: goperf's buffer-size sweep\n\n")
	fmt.Fprintf(b, "Measured %s, in %v, on:\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), rep.elapsed.Round(time.Second))
	fmt.Fprintf(b, "- kernel: %s; TCP congestion control %s, default qdisc %s\n- CPU: %s, %d logical CPUs\n- Go: %s\n",
		m.Kernel, m.Congestion, m.Qdisc, m.CPU, m.CPUs, m.Go)
	for _, t := range m.Tools {
		fmt.Fprintf(b, "- %s\n", t)
	}
	fmt.Fprintf(b, "\nEvery point is the median of %d runs of %d s: one TCP stream over loopback, the contenders taking turns "+
		"at each size. goperf is its engine driven in-process against a goperf server process; the plain Go loop calls "+
		"`net.Conn.Write` with one buffer, against a Go reader in another process that reads with a buffer of the same size "+
		"(iperf's `-l` sets both ends too), with Go's defaults, which include TCP_NODELAY; \"Nagle on\" is the same loop "+
		"after `SetNoDelay(false)`, the setting iperf, iperf3 and goperf (without `-N`) use. Rates are the sender's. "+
		"`go run ./bench/report` (`make report`) made this file.\n\n",
		rep.rounds, rep.seconds)
	fmt.Fprintf(b, "![throughput against buffer size](throughput.svg)\n\n")
}

func rateTable(b *strings.Builder, rep *report) {
	fmt.Fprintf(b, "## Throughput, Gbit/s\n\n| size |")
	for _, c := range rep.curves {
		fmt.Fprintf(b, " %s |", c.name)
	}
	fmt.Fprintf(b, "\n|---:|%s\n", strings.Repeat("---:|", len(rep.curves)))
	for i, s := range sizes {
		fmt.Fprintf(b, "| %s |", bench.SizeName(s))
		for _, c := range rep.curves {
			fmt.Fprintf(b, " %.2f |", c.gbps[i])
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
}

func modelTable(b *strings.Builder, rep *report) {
	fmt.Fprintf(b, "## The cost of a write\n\n")
	fmt.Fprintf(b, "Each write of s bytes is modelled as a fixed cost a plus a cost per byte c: t = a + c·s, fitted to "+
		"t = 8·s / rate at every size (least squares on t/s against 1/s, so every size counts by its relative error). "+
		"The rate flattens at 8/c and reaches 90%% of that at s = 9a/c.\n\n")
	fmt.Fprintf(b, "| contender | a, µs per write | c, ns per KiB | plateau 8/c, Gbit/s | 90%% of plateau at | measured peak | 90%% of peak first at |\n")
	fmt.Fprintf(b, "|---|---:|---:|---:|---:|---:|---:|\n")
	for _, c := range rep.curves {
		peak, at := c.peak()
		if c.fitErr != nil {
			fmt.Fprintf(b, "| %s | fit failed: %v | | | | %.2f at %s | %s |\n", c.name, c.fitErr, peak, bench.SizeName(at), bench.SizeName(c.reaches(0.9)))
			continue
		}
		fmt.Fprintf(b, "| %s | %.2f | %.0f | %.1f | %s | %.2f at %s | %s |\n", c.name, c.model.PerCall/1e3, c.model.PerByte*1024,
			c.model.Plateau(), bytesText(c.model.SizeAt(0.9)), peak, bench.SizeName(at), bench.SizeName(c.reaches(0.9)))
	}
	b.WriteString("\n")
}

func profileTables(b *strings.Builder, rep *report) {
	fmt.Fprintf(b, "## Where the sender's CPU time goes\n\n")
	fmt.Fprintf(b, "From a CPU profile of the sending process at each size (bench/attrib; each sample counted once, leaf "+
		"first: a system call's kernel time shows at the frame that made it; on loopback the sender's write(2) also "+
		"runs the receiver's TCP stack in softirq).\n\n")
	for _, c := range rep.curves {
		if len(c.breakdowns) == 0 {
			continue
		}
		fmt.Fprintf(b, "### %s\n\n| size |", c.name)
		for _, cat := range attrib.Categories() {
			fmt.Fprintf(b, " %s |", cat)
		}
		fmt.Fprintf(b, " CPU per write, µs | syscall per write, µs | CPU per KiB, ns |\n|---:|%s---:|---:|---:|\n",
			strings.Repeat("---:|", len(attrib.Categories())))
		for i, s := range sizes {
			bd := c.breakdowns[i]
			fmt.Fprintf(b, "| %s |", bench.SizeName(s))
			for _, cat := range attrib.Categories() {
				fmt.Fprintf(b, " %.1f%% |", 100*bd.Share(cat))
			}
			fmt.Fprintf(b, " %.2f | %.2f | %.0f |\n", perUnit(bd.Total, c.writes[i])/1e3,
				perUnit(bd.Time[attrib.Syscall], c.writes[i])/1e3, 1024*perUnit(bd.Total, c.bytes[i]))
		}
		b.WriteString("\n")
	}
}

// perUnit divides nanoseconds among n units.
func perUnit(ns int64, n float64) float64 {
	if n <= 0 {
		return math.NaN()
	}
	return float64(ns) / n
}

// bytesText writes a size in bytes as KiB or MiB.
func bytesText(s float64) string {
	switch {
	case math.IsInf(s, 0) || math.IsNaN(s):
		return "never"
	case s >= 1<<20:
		return fmt.Sprintf("%.1f MiB", s/(1<<20))
	}
	return fmt.Sprintf("%.0f KiB", s/1024)
}
