package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/goperf/goperf/engine"
	"github.com/goperf/goperf/sockopt"
)

// fastFlags are iperf3's fast paths and placement, and goperf's
// per-stream placement.
type fastFlags struct {
	ZeroCopy   zeroCopyFlag   `short:"Z" name:"zerocopy" placeholder:"MODE" help:"TCP: send without copying, as iperf3's -Z: MSG_ZEROCOPY where the kernel has it, else sendfile; --zerocopy=msg or =sendfile chooses. The report says how many sends the kernel copied after all (a peer on this host always is)."`
	SkipRxCopy bool           `name:"skip-rx-copy" help:"Let the kernel discard what the receivers read (MSG_TRUNC), as iperf3: TCP counts the bytes; UDP copies each datagram's header only, without GRO."`
	FQRate     engine.Bitrate `name:"fq-rate" placeholder:"RATE" help:"Pace each stream in the kernel at RATE bit/s (SO_MAX_PACING_RATE), both ends, as iperf3's --fq-rate. TCP paces itself; UDP only where the device has the fq qdisc (goperf warns otherwise)."`
	Affinity   affinityFlag   `short:"A" name:"affinity" placeholder:"N[,M]" help:"Run this end's stream threads on core N, and ask the server to run its own on core M, as iperf3's -A."`
	Streams    cpuListFlag    `name:"affinity-streams" placeholder:"CPULIST" help:"Place stream i's thread on the i-th core of CPULIST (e.g. 0-3 or 0,2), round robin, on this end; the report says where each ran."`
}

// cpus returns this end's placement: --affinity-streams, else -A's core.
func (f *fastFlags) cpus() []int {
	switch {
	case f.Streams.cpus != nil:
		return f.Streams.cpus
	case f.Affinity.set:
		return []int{f.Affinity.local}
	}
	return nil
}

// serverCPUs returns the server's core that -A N,M asks for.
func (f *fastFlags) serverCPUs() []int {
	if !f.Affinity.set || f.Affinity.server < 0 {
		return nil
	}
	return []int{f.Affinity.server}
}

// optionalValue reads a flag's optional =VALUE; given is false when the
// flag stands alone.
func optionalValue(ctx *kong.DecodeContext) (text string, given bool) {
	if ctx.Scan.Peek().Type != kong.FlagValueToken {
		return "", false
	}
	return ctx.Scan.Pop().String(), true
}

// zeroCopyFlag is -Z, --zerocopy[=MODE].
type zeroCopyFlag struct {
	set  bool
	mode sockopt.ZeroCopyMode
}

// IsBool lets the flag stand alone, as iperf3's -Z.
func (z *zeroCopyFlag) IsBool() bool { return true }

// Decode reads the optional =MODE.
func (z *zeroCopyFlag) Decode(ctx *kong.DecodeContext) error {
	z.set = true
	text, given := optionalValue(ctx)
	if !given {
		return nil
	}
	m, err := sockopt.ParseZeroCopyMode(text)
	z.mode = m
	return err
}

// affinityFlag is iperf3's -A N[,M]: this end's core and the server's.
type affinityFlag struct {
	set           bool
	local, server int // server -1 = not asked
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (a *affinityFlag) UnmarshalText(text []byte) error {
	local, server, found := strings.Cut(string(text), ",")
	var err error
	a.set, a.server = true, -1
	if a.local, err = parseCPU(local); err != nil {
		return err
	}
	if found {
		a.server, err = parseCPU(server)
	}
	return err
}

// parseCPU reads one core number, 0 to engine.MaxCPU as iperf3 takes.
func parseCPU(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > engine.MaxCPU {
		return 0, fmt.Errorf("invalid CPU %q: want 0 to %d", s, engine.MaxCPU)
	}
	return n, nil
}

// cpuListFlag is a kernel CPU list: "0-3,6".
type cpuListFlag struct {
	cpus []int
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (l *cpuListFlag) UnmarshalText(text []byte) error {
	l.cpus = l.cpus[:0]
	for part := range strings.SplitSeq(string(text), ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		first, err := parseCPU(lo)
		if err != nil {
			return err
		}
		last := first
		if isRange {
			if last, err = parseCPU(hi); err != nil {
				return err
			}
		}
		if last < first {
			return fmt.Errorf("invalid CPU range %q", part)
		}
		for c := first; c <= last; c++ {
			l.cpus = append(l.cpus, c)
		}
	}
	return nil
}
