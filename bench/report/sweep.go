package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/goperf/goperf/bench"
	"github.com/goperf/goperf/bench/attrib"
)

// sizes are the sweep's buffer sizes.
var sizes = bench.SweepSizes

// module is the prefix of goperf's own code in profiles.
const module = "github.com/goperf/goperf/"

// contender is one line of the chart: something that sends at each size.
type contender struct {
	name    string
	bench   string     // Go benchmark that runs it, or ""
	sub     string     // its sub-benchmark above the sizes, or ""
	tool    bench.Tool // else an external tester
	profile bool       // keep a CPU profile per size
}

// sample is one contender's figures at one size, in one round.
type sample struct {
	gbps      float64           // sender's rate
	writes    float64           // for the profiled contenders
	bytes     float64           // idem
	breakdown *attrib.Breakdown // nil unless profiled
}

// sweeper runs the sweep.
type sweeper struct {
	out      string // output directory, absolute
	testBin  string // the bench package's test binary
	benchDir string // where it must run
	goperf   string // goperf binary
	seconds  int
	log      func(format string, args ...any)
}

// build compiles goperf and the bench test binary into the output
// directory.
func (s *sweeper) build(root string) error {
	s.goperf = filepath.Join(s.out, "goperf")
	s.testBin = filepath.Join(s.out, "bench.test")
	s.benchDir = filepath.Join(root, "bench")
	for _, args := range [][]string{
		{"build", "-o", s.goperf, "./cmd/goperf"},
		{"test", "-c", "-o", s.testBin, "./bench"},
	} {
		cmd := exec.Command("go", args...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return nil
}

// run measures c at size once.
func (s *sweeper) run(ctx context.Context, c contender, size int) (sample, error) {
	if c.bench == "" {
		r, err := c.tool.Run(ctx, bench.Case{Length: size, Streams: 1, Time: time.Duration(s.seconds) * time.Second})
		return sample{gbps: r.SenderGbps}, err
	}
	prof := ""
	if c.profile {
		prof = filepath.Join(s.out, "profiles", fmt.Sprintf("%s-%s.pprof", c.name, bench.SizeName(size)))
	}
	m, err := s.benchmark(ctx, c.bench, c.sub, size, prof)
	if err != nil {
		return sample{}, err
	}
	smp := sample{gbps: m["Gbit/s"], writes: m["writes"], bytes: m["bytes"]}
	if prof != "" {
		f, err := os.Open(prof)
		if err != nil {
			return sample{}, err
		}
		defer f.Close()
		if smp.breakdown, err = attrib.Read(f, module); err != nil {
			return sample{}, fmt.Errorf("%s: %w", prof, err)
		}
	}
	return smp, nil
}

// benchmark runs one case of a sweep benchmark in the test binary (sub
// names a level above the sizes, such as "io=thread"), with a CPU profile
// written to prof unless it is "", and returns its metrics.
func (s *sweeper) benchmark(ctx context.Context, name, sub string, size int, prof string) (map[string]float64, error) {
	pattern := fmt.Sprintf("^%s$/^len=%s$/^P=1$", name, bench.SizeName(size))
	if sub != "" {
		pattern = fmt.Sprintf("^%s$/^%s$/^len=%s$/^P=1$", name, sub, bench.SizeName(size))
	}
	args := []string{"-test.run", "^$", "-test.bench", pattern, "-test.benchtime", "1x"}
	if prof != "" {
		if err := os.MkdirAll(filepath.Dir(prof), 0o755); err != nil {
			return nil, err
		}
		args = append(args, "-test.cpuprofile", prof)
	}
	cmd := exec.CommandContext(ctx, s.testBin, args...)
	cmd.Dir = s.benchDir
	cmd.Env = append(os.Environ(), "GOPERF_BENCH_SECONDS="+strconv.Itoa(s.seconds), "GOPERF_BIN="+s.goperf)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %v\n%s", name, bench.SizeName(size), err, out)
	}
	m := parseMetrics(string(out))
	if m["Gbit/s"] <= 0 {
		return nil, fmt.Errorf("%s %s: no rate in\n%s", name, bench.SizeName(size), out)
	}
	return m, nil
}

var benchLine = regexp.MustCompile(`(?m)^Benchmark\S+\s+\d+\s+(.*)$`)

// parseMetrics reads "value unit" pairs from a benchmark's result line.
func parseMetrics(out string) map[string]float64 {
	m := map[string]float64{}
	line := benchLine.FindStringSubmatch(out)
	if line == nil {
		return m
	}
	f := strings.Fields(line[1])
	for i := 0; i+1 < len(f); i += 2 {
		if v, err := strconv.ParseFloat(f[i], 64); err == nil {
			m[f[i+1]] = v
		}
	}
	return m
}
