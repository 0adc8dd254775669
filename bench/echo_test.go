package bench

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/goperf/goperf/engine/enginetest"
)

// goechoBinary builds goecho once for the benchmarks.
var goechoBinary = enginetest.BuildOnce("../cmd/goecho", "goecho")

// echoSeconds is each run's length: GOECHO_BENCH_SECONDS, default 1.
func echoSeconds() int {
	if s, err := strconv.Atoi(os.Getenv("GOECHO_BENCH_SECONDS")); err == nil && s > 0 {
		return s
	}
	return 1
}

// BenchmarkEchoVsSockperf runs goecho and the system's sockperf ping-pong
// alternately on loopback, b.N rounds per case, and reports the medians of
// each one's round-trip p50, p99 and p99.9 in microseconds, and their
// ratios to sockperf's. sockperf runs with --full-rtt, so both report
// whole round trips. "goecho" is the default, whose client busy-polls for
// each echo and whose server for each read; "goecho-nospin" (--spin 0 on
// both sides) parks in Go's poller as sockperf blocks in recvfrom, like
// for like. Run it with -benchtime 5x or more and GOECHO_BENCH_SECONDS=3
// on a quiet machine; one round of one second (-benchtime 1x, as CI does)
// only proves it works.
func BenchmarkEchoVsSockperf(b *testing.B) {
	path, err := exec.LookPath("sockperf")
	if err != nil {
		b.Skip("sockperf not installed (apt-get install -y sockperf)")
	}
	bin, err := goechoBinary()
	if err != nil {
		b.Fatal(err)
	}
	tools := []EchoTool{Goecho("goecho", bin), Goecho("goecho-nospin", bin, "--spin", "0"), Sockperf(path)}
	for _, udp := range []bool{false, true} {
		c := EchoCase{UDP: udp, Size: 64, Seconds: echoSeconds(), Warmup: 200 * time.Millisecond}
		b.Run(c.String(), func(b *testing.B) {
			res, err := AlternateEcho(context.Background(), tools, c, b.N)
			if err != nil {
				b.Fatal(err)
			}
			sp := MedianRTT(res["sockperf"])
			for _, t := range tools {
				m := MedianRTT(res[t.Name])
				b.ReportMetric(m.P50, t.Name+"-p50-us")
				b.ReportMetric(m.P99, t.Name+"-p99-us")
				b.ReportMetric(m.P999, t.Name+"-p99.9-us")
				if t.Name != "sockperf" {
					b.ReportMetric(m.P50/sp.P50, t.Name+"/sockperf-p50")
					b.ReportMetric(m.P99/sp.P99, t.Name+"/sockperf-p99")
					b.ReportMetric(m.P999/sp.P999, t.Name+"/sockperf-p99.9")
				}
				b.Logf("%-14s p50/p99/p99.9 per round: %v", t.Name, res[t.Name])
			}
		})
	}
}
