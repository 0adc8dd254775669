package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/goperf/goperf/bench"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func run() error {
	var extra bench.StringList
	out := flag.String("out", "bench/out", "directory for report.md, throughput.svg and the profiles")
	seconds := flag.Int("seconds", 2, "length of each run")
	rounds := flag.Int("rounds", 2, "runs of each contender at each size, alternating; the median is reported")
	flag.Var(&extra, "iperf3", "another iperf3 binary to include, such as a 3.21 build (repeatable)")
	flag.Parse()
	if *seconds < 1 || *rounds < 1 {
		return errors.New("-seconds and -rounds must be at least 1")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	root, err := os.Getwd()
	if err != nil {
		return err
	}
	dir, err := filepath.Abs(*out)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	sw := &sweeper{out: dir, seconds: *seconds, log: func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }}
	start := time.Now()
	sw.log("building goperf and the benchmarks")
	if err := sw.build(root); err != nil {
		return err
	}
	cs, paths := contenders(extra)
	res, err := sw.sweep(ctx, cs, *rounds)
	if err != nil {
		return err
	}
	rep := analyse(cs, res, describeMachine(paths), *seconds, *rounds)
	rep.elapsed = time.Since(start)
	if err := writeChart(filepath.Join(dir, "throughput.svg"), rep); err != nil {
		return err
	}
	if err := writeReport(filepath.Join(dir, "report.md"), rep); err != nil {
		return err
	}
	sw.log("wrote %s and %s in %v", filepath.Join(*out, "report.md"), filepath.Join(*out, "throughput.svg"), rep.elapsed.Round(time.Second))
	return nil
}

// contenders lists what the sweep runs, and the external testers' paths.
func contenders(extra []string) ([]contender, []string) {
	cs := []contender{
		{name: "goperf", bench: "BenchmarkTCPSweep", sub: "io=thread", profile: true},
		{name: "goperf, raw I/O", bench: "BenchmarkTCPSweep", sub: "io=raw", profile: true},
		{name: "plain Go loop", bench: "BenchmarkPlainConn", profile: true},
		{name: "plain loop, Nagle on", bench: "BenchmarkPlainConnNagle", profile: true},
	}
	var paths []string
	if p, err := exec.LookPath("iperf3"); err == nil {
		cs = append(cs, contender{name: "iperf3", tool: bench.Tool{Name: "iperf3", Path: p, BufferFlag: "-l", RateFlag: "-b"}})
		paths = append(paths, p)
	}
	for _, p := range extra {
		name := "iperf3 " + firstWord(firstLine(p, "--version"), 1) // "iperf 3.21 (cJSON ...)"
		cs = append(cs, contender{name: name, tool: bench.Tool{Name: name, Path: p, BufferFlag: "-l", RateFlag: "-b"}})
		paths = append(paths, p)
	}
	if p, err := exec.LookPath("iperf"); err == nil {
		cs = append(cs, contender{name: "iperf2", tool: bench.Tool{Name: "iperf2", Path: p, Iperf2: true}})
		paths = append(paths, p)
	}
	return cs, paths
}

// firstWord returns word i (0-based) of s, or s.
func firstWord(s string, i int) string {
	if f := strings.Fields(s); len(f) > i {
		return f[i]
	}
	return s
}

// sweep runs every contender at every size, rounds times, alternating
// contenders within a size so that they share the machine's moods.
func (s *sweeper) sweep(ctx context.Context, cs []contender, rounds int) ([][][]sample, error) {
	res := make([][][]sample, len(cs)) // contender, size, round
	for i := range res {
		res[i] = make([][]sample, len(sizes))
	}
	for r := range rounds {
		for si, size := range sizes {
			for ci, c := range cs {
				c.profile = c.profile && r == 0
				smp, err := s.run(ctx, c, size)
				if err != nil {
					return nil, fmt.Errorf("%s at %s: %w", c.name, bench.SizeName(size), err)
				}
				s.log("round %d/%d  %-14s %5s  %7.2f Gbit/s", r+1, rounds, c.name, bench.SizeName(size), smp.gbps)
				res[ci][si] = append(res[ci][si], smp)
			}
		}
	}
	return res, nil
}
