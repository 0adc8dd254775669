package main

import (
	"fmt"
	"strings"

	"github.com/goperf/goperf/bench"
	"github.com/goperf/goperf/bench/attrib"
)

// The sizes the explanation quotes.
const (
	smallSize = 1 << 10
	midSize   = 8 << 10
	iperfSize = 128 << 10 // iperf3's default -l
)

// explain writes the anomaly's explanation from this run's figures. Every
// number in it comes from rep, and where a sentence compares, its words
// follow the comparison.
func explain(b *strings.Builder, rep *report) {
	gp, raw := rep.find("goperf"), rep.find("goperf, raw I/O")
	plain, nagle, ip := rep.find("plain Go loop"), rep.find("plain loop, Nagle on"), rep.find("iperf3")
	if gp == nil || plain == nil || nagle == nil {
		return
	}
	fmt.Fprintf(b, "## The 128 KB anomaly, in plain words\n\n")
	fixedCost(b, plain, ip)
	inTheKernel(b, plain)
	noDelay(b, plain, nagle)
	flattening(b, gp, plain, nagle, ip)
	whatGoperfDoes(b, gp, plain, nagle, ip)
	threadLoops(b, gp, raw)
}

// fixedCost: why small writes lose.
func fixedCost(b *strings.Builder, plain, ip *curve) {
	fmt.Fprintf(b, "**Why small writes lose.** Every write pays a fixed price before it moves a byte, and a small "+
		"write moves few bytes for it. In this run the plain Go loop's fixed price, a, was %s per write, and moving "+
		"the bytes cost c = %s per KiB", microseconds(plain), perKiB(plain))
	if ip != nil {
		fmt.Fprintf(b, " (iperf3: %s and %s)", microseconds(ip), perKiB(ip))
	}
	b.WriteString(". ")
	if plain.fitErr == nil {
		fmt.Fprintf(b, "At %s the fixed price is %.0f%% of the plain loop's time per write: it sent %.2f Gbit/s, %.0f%% "+
			"of its best.", bench.SizeName(smallSize), 100*plain.model.PerCall/plain.model.NsPerWrite(smallSize), plain.at(smallSize),
			100*plain.at(smallSize)/peakOf(plain))
	}
	b.WriteString("\n\n")
}

// inTheKernel: what the profile says about where the fixed price is paid.
func inTheKernel(b *strings.Builder, plain *curve) {
	if len(plain.breakdowns) == 0 {
		return
	}
	bd := plain.breakdowns[0]
	sys, rt := bd.Share(attrib.Syscall), bd.Share(attrib.Scheduler)+bd.Share(attrib.GC)+bd.Share(attrib.Memcopy)
	fmt.Fprintf(b, "**Where it is paid.** The plain loop's CPU profile at %s puts %.0f%% of the sender's CPU inside "+
		"write(2) and %.0f%% in Go's runtime (netpoller, scheduler, GC, copies), %s of CPU per write. ",
		bench.SizeName(smallSize), 100*sys, 100*rt, cpuPerWrite(plain, 0))
	if sys > 0.8 {
		b.WriteString("So the price is the kernel's, not the Go runtime's: on loopback one write(2) runs the whole " +
			"TCP path, the sender's and the receiver's, and wakes the reader.")
	} else {
		b.WriteString("The runtime's share is large enough to matter here.")
	}
	b.WriteString("\n\n")
}

// noDelay: the effect of Go's TCP_NODELAY default, measured.
func noDelay(b *strings.Builder, plain, nagle *curve) {
	gain := nagle.at(smallSize) / plain.at(smallSize)
	fmt.Fprintf(b, "**Go's default.** Go's net package sets TCP_NODELAY on every TCP connection; iperf, iperf3 and goperf "+
		"leave Nagle's algorithm on. With TCP_NODELAY every small write leaves as a segment of its own, and each "+
		"segment costs the kernel its per-packet work and the reader a wake-up. The same loop with `SetNoDelay(false)` "+
		"sent %.2f Gbit/s at %s against %.2f (%.1f×), and %.2f against %.2f at %s", nagle.at(smallSize), bench.SizeName(smallSize),
		plain.at(smallSize), gain, nagle.at(midSize), plain.at(midSize), bench.SizeName(midSize))
	if plain.fitErr == nil && nagle.fitErr == nil {
		fmt.Fprintf(b, "; its fixed price per write fell from %s to %s", microseconds(plain), microseconds(nagle))
	}
	b.WriteString(". ")
	switch {
	case gain >= 1.5:
		b.WriteString("That default is the largest single part of the anomaly.")
	case gain > 1.1:
		b.WriteString("That default is part of the anomaly, not all of it.")
	default:
		b.WriteString("In this run the default made little difference.")
	}
	b.WriteString("\n\n")
}

// flattening: where each curve reaches 90% of its peak, and whether the
// model's plateau is where the curves flatten.
func flattening(b *strings.Builder, gp, plain, nagle, ip *curve) {
	fmt.Fprintf(b, "**Where the curve flattens.** Once writes are large enough, the fixed price is small beside the "+
		"per-byte cost. The first size at 90%% of the peak was %s for the plain loop (peak %.1f Gbit/s), %s with Nagle "+
		"on (%.1f), %s for goperf (%.1f)", bench.SizeName(plain.reaches(0.9)), peakOf(plain), bench.SizeName(nagle.reaches(0.9)),
		peakOf(nagle), bench.SizeName(gp.reaches(0.9)), peakOf(gp))
	if ip != nil {
		fmt.Fprintf(b, " and %s for iperf3 (%.1f)", bench.SizeName(ip.reaches(0.9)), peakOf(ip))
	}
	b.WriteString(". ")
	if last := len(sizes) - 1; gp.fitErr == nil && peakOf(gp) > 1.15*gp.model.Plateau() && len(gp.breakdowns) == len(sizes) {
		fmt.Fprintf(b, "In this run the curves did not stay flat: past a shelf near the model's plateau (%.1f Gbit/s for "+
			"goperf) they climbed again at the largest sizes, to %.1f at %s. The cost per byte itself fell there, from "+
			"%s of CPU per KiB at %s to %s at %s in goperf's profile, which a + c·s leaves out: the model holds where a "+
			"matters, for small writes; for large ones, read the measured curve. ", gp.model.Plateau(), gp.gbps[last],
			bench.SizeName(sizes[last]), cpuPerKiB(gp, 2), bench.SizeName(sizes[2]), cpuPerKiB(gp, last), bench.SizeName(sizes[last]))
	} else if plain.fitErr == nil {
		fmt.Fprintf(b, "The model puts the plain loop's 90%% point at 9a/c = %s. ", bytesText(plain.model.SizeAt(0.9)))
	}
	if ip != nil && ip.at(iperfSize) > 0 && ip.at(midSize) > 0 {
		fmt.Fprintf(b, "Against iperf3, the plain loop sent %.0f%% of its rate at %s and %.0f%% at 128 KiB, iperf3's default.",
			100*plain.at(midSize)/ip.at(midSize), bench.SizeName(midSize), 100*plain.at(iperfSize)/ip.at(iperfSize))
	}
	b.WriteString("\n\n")
}

// whatGoperfDoes: goperf's answer, with its own figures.
func whatGoperfDoes(b *strings.Builder, gp, plain, nagle, ip *curve) {
	fmt.Fprintf(b, "**What goperf does about it.** It writes 128 KiB by default, like iperf3 (%.0f%% of its peak "+
		"rate in this run). It turns TCP_NODELAY off on its data connections unless asked (`-N`), as "+
		"iperf3 does. And each stream runs as iperf3 3.16 and later run theirs, a thread loop: its socket blocking "+
		"and out of Go's network poller, one raw write(2) per block that sleeps in the kernel when the socket is "+
		"full, and a P of its own, which spares it poll.FD's locking, the runtime's syscall bookkeeping and the "+
		"poller's wake-ups. At %s it sent %.2f Gbit/s, against %.2f for the plain loop with "+
		"Nagle on and %.2f with Go's defaults", 100*gp.at(iperfSize)/peakOf(gp), bench.SizeName(smallSize), gp.at(smallSize), nagle.at(smallSize), plain.at(smallSize))
	if ip != nil {
		fmt.Fprintf(b, "; iperf3 sent %.2f", ip.at(smallSize))
	}
	b.WriteString(".\n\n")
	if ip == nil || ip.at(iperfSize) == 0 || ip.at(midSize) == 0 {
		return
	}
	fmt.Fprintf(b, "So the original Go iperf needed `-b 131072` to measure what iperf measured because iperf3 writes 128 "+
		"KiB at a time, where the fixed price per write is a small part of a write's time, while a simple Go program "+
		"pays it in full at small sizes, with Go's TCP_NODELAY default making each write a packet: at %s the plain "+
		"loop reached %.0f%% of iperf3's rate, at 128 KiB %.0f%%.\n", bench.SizeName(midSize), 100*plain.at(midSize)/ip.at(midSize),
		100*plain.at(iperfSize)/ip.at(iperfSize))
}

// threadLoops: what the thread loops changed against raw calls through
// the poller, goperf's single-stream path before them.
func threadLoops(b *strings.Builder, gp, raw *curve) {
	if raw == nil || gp.fitErr != nil || raw.fitErr != nil {
		return
	}
	verb := func(now, before float64) string {
		switch {
		case now < 0.95*before:
			return "fell"
		case now > 1.05*before:
			return "rose"
		}
		return "stayed"
	}
	fmt.Fprintf(b, "\n**What the thread loops changed.** Against the same engine calling write(2) raw through the "+
		"poller (`--io raw`, the single-stream path before them), the fixed price per write %s from %s to %s and "+
		"the cost per KiB %s from %s to %s. At %s the thread loop sent %.2f Gbit/s against %.2f, at 128 KiB %.2f "+
		"against %.2f.",
		verb(gp.model.PerCall, raw.model.PerCall), microseconds(raw), microseconds(gp),
		verb(gp.model.PerByte, raw.model.PerByte), perKiB(raw), perKiB(gp),
		bench.SizeName(midSize), gp.at(midSize), raw.at(midSize), gp.at(iperfSize), raw.at(iperfSize))
	b.WriteString(" The sweep runs one stream; `make compare` measures four.\n")
}

func microseconds(c *curve) string {
	if c.fitErr != nil {
		return "(no fit)"
	}
	return fmt.Sprintf("%.2f µs", c.model.PerCall/1e3)
}

func perKiB(c *curve) string {
	if c.fitErr != nil {
		return "(no fit)"
	}
	return fmt.Sprintf("%.0f ns", c.model.PerByte*1024)
}

func peakOf(c *curve) float64 { g, _ := c.peak(); return g }

func cpuPerWrite(c *curve, i int) string {
	return fmt.Sprintf("%.2f µs", perUnit(c.breakdowns[i].Total, c.writes[i])/1e3)
}

func cpuPerKiB(c *curve, i int) string {
	return fmt.Sprintf("%.0f ns", 1024*perUnit(c.breakdowns[i].Total, c.bytes[i]))
}
