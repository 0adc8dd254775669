package bench

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"
)

// benchSeconds is each run's length: GOPERF_BENCH_SECONDS, default 3.
func benchSeconds() time.Duration {
	if s, err := strconv.Atoi(os.Getenv("GOPERF_BENCH_SECONDS")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 3 * time.Second
}

// BenchmarkVsIperf3 runs goperf and the system's iperf3 alternately on
// loopback, b.N rounds per case, and reports each one's median receiver
// rate, their ratio and the median of each round's ratio (PairRatio).
// Run it with -benchtime 5x or more on a quiet machine; one round
// (-benchtime 1x, as CI does) only proves it works.
//
// The C=cubic cases exist because a machine whose default is BBR, with no
// fq qdisc, paces each loopback stream in the kernel at about 20 Gbit/s
// whatever the tool does; cubic shows what the tools themselves reach.
func BenchmarkVsIperf3(b *testing.B) {
	goperf, iperf3 := contenders(b)
	for _, c := range []Case{
		{Length: 128 << 10, Streams: 1},
		{Length: 128 << 10, Streams: 4},
		{Length: 8 << 10, Streams: 1},
		{Length: 128 << 10, Streams: 1, Congestion: "cubic"},
		{Length: 8 << 10, Streams: 1, Congestion: "cubic"},
	} {
		c.Time = benchSeconds()
		b.Run(c.String(), func(b *testing.B) {
			res, err := Alternate(context.Background(), []Tool{goperf, iperf3}, c, b.N)
			if err != nil {
				b.Fatal(err)
			}
			gs, is := Pick(res["goperf"], ReceiverGbps), Pick(res["iperf3"], ReceiverGbps)
			g, i := Median(gs), Median(is)
			b.ReportMetric(g, "goperf-Gbit/s")
			b.ReportMetric(i, "iperf3-Gbit/s")
			b.ReportMetric(g/i, "ratio")
			b.ReportMetric(PairRatio(is, gs), "pair-ratio")
			b.Logf("goperf %v iperf3 %v", gs, is)
		})
	}
}
