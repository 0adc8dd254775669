package bench

import (
	"context"
	"fmt"
	"math"
	"testing"
)

// BenchmarkUDPVsIperf3 runs goperf -u --bitrate 0 and iperf3 -u -b 0
// alternately on loopback, b.N rounds per datagram size, and reports the
// median sender and receiver rates and loss of each, and the ratio of
// receiver rates.
func BenchmarkUDPVsIperf3(b *testing.B) {
	goperf, iperf3 := contenders(b)
	for _, size := range []int{1400, 8 << 10} {
		c := Case{UDP: true, Length: size, Streams: 1, Rate: "0", Time: benchSeconds()}
		b.Run(c.String(), func(b *testing.B) {
			res, err := Alternate(context.Background(), []Tool{goperf, iperf3}, c, b.N)
			if err != nil {
				b.Fatal(err)
			}
			for _, name := range []string{"goperf", "iperf3"} {
				b.ReportMetric(Median(Pick(res[name], SenderGbps)), name+"-sent-Gbit/s")
				b.ReportMetric(Median(Pick(res[name], ReceiverGbps)), name+"-recv-Gbit/s")
				b.ReportMetric(Median(Pick(res[name], LostPercent)), name+"-loss-%")
				b.Logf("%s receiver %v loss %v", name, Pick(res[name], ReceiverGbps), Pick(res[name], LostPercent))
			}
			b.ReportMetric(Median(Pick(res["goperf"], ReceiverGbps))/Median(Pick(res["iperf3"], ReceiverGbps)), "recv-ratio")
		})
	}
}

// BenchmarkUDPBatch runs goperf alone at 1400-byte datagrams, unlimited,
// in thread loops and through the poller (raw), for each batch size with
// and without GSO (and GRO), and reports the receiver's rate, the loss and
// the system calls per datagram each end.
func BenchmarkUDPBatch(b *testing.B) {
	for _, mode := range []string{"thread", "raw"} {
		b.Run("io="+mode, func(b *testing.B) { udpBatch(b, mode) })
	}
}

func udpBatch(b *testing.B, mode string) {
	goperf, _ := contenders(b)
	goperf.Env = append(goperf.Env, "GOPERF_IO="+mode)
	for _, offload := range []bool{false, true} {
		for _, batch := range []int{1, 8, 32, 64} {
			c := Case{UDP: true, Length: 1400, Streams: 1, Rate: "0", Time: benchSeconds(),
				Flags: []string{"--batch", fmt.Sprint(batch)}}
			name := fmt.Sprintf("batch=%d/gso=%v", batch, offload)
			if !offload {
				c.Flags = append(c.Flags, "--no-gso", "--no-gro")
			}
			b.Run(name, func(b *testing.B) {
				// goperf runs as its own processes, so these allocations are the
				// harness's; TestUDPAllocs asserts that the engine's send and
				// receive steps allocate nothing.
				b.ReportAllocs()
				rs := runN(b, goperf, c)
				perDatagram := func(calls func(Result) uint64) func(Result) float64 {
					return func(r Result) float64 { return float64(calls(r)) / float64(max(r.Datagrams, 1)) }
				}
				b.ReportMetric(Median(Pick(rs, ReceiverGbps)), "recv-Gbit/s")
				b.ReportMetric(Median(Pick(rs, LostPercent)), "loss-%")
				b.ReportMetric(Median(Pick(rs, perDatagram(func(r Result) uint64 { return r.SenderSyscalls }))), "send-calls/datagram")
				b.ReportMetric(Median(Pick(rs, perDatagram(func(r Result) uint64 { return r.RecvSyscalls }))), "recv-calls/datagram")
			})
		}
	}
}

// BenchmarkUDPPacing runs goperf at --bitrate 100M with one-second
// intervals and reports the delivered rate against the target and the
// largest interval's deviation from it.
func BenchmarkUDPPacing(b *testing.B) {
	goperf, _ := contenders(b)
	const target = 0.1 // Gbit/s
	c := Case{UDP: true, Length: 1400, Streams: 1, Rate: "100M", Interval: 1, Time: 5 * benchSeconds() / 3}
	rs := runN(b, goperf, c)
	worst := func(r Result) float64 { return worstDeviation(r.Intervals, target) }
	b.ReportMetric(Median(Pick(rs, ReceiverGbps))/target, "delivered/target")
	b.ReportMetric(Median(Pick(rs, worst)), "worst-interval-dev-%")
	b.ReportMetric(Median(Pick(rs, LostPercent)), "loss-%")
	b.Logf("intervals (Gbit/s) of the last run: %v", rs[len(rs)-1].Intervals)
}

// worstDeviation is the largest distance of a rate in gbps from target,
// in percent of it.
func worstDeviation(gbps []float64, target float64) float64 {
	w := 0.0
	for _, g := range gbps {
		w = max(w, math.Abs(g/target-1))
	}
	return w * 100
}

// runN runs t for c b.N times.
func runN(b *testing.B, t Tool, c Case) []Result {
	b.Helper()
	res, err := Alternate(context.Background(), []Tool{t}, c, b.N)
	if err != nil {
		b.Fatal(err)
	}
	return res[t.Name]
}

// BenchmarkFQRate runs goperf with --fq-rate 500M, TCP, for 5 seconds
// (GOPERF_BENCH_SECONDS scales it) with one and four streams, and reports
// how far the stream furthest from 500 Mbit/s is from it: the kernel
// paces each socket (SO_MAX_PACING_RATE), so every stream should deliver
// the rate within 2%.
func BenchmarkFQRate(b *testing.B) {
	goperf, _ := contenders(b)
	const target = 0.5 // Gbit/s per stream
	for _, p := range []int{1, 4} {
		c := Case{Length: 128 << 10, Streams: p, Time: 5 * benchSeconds() / 3, Flags: []string{"--fq-rate", "500M"}}
		b.Run(c.String(), func(b *testing.B) {
			rs := runN(b, goperf, c)
			worst := func(r Result) float64 { return worstDeviation(r.StreamGbps, target) }
			b.ReportMetric(Median(Pick(rs, ReceiverGbps))/(target*float64(p)), "delivered/target")
			b.ReportMetric(Median(Pick(rs, worst)), "worst-stream-dev-%")
			b.Logf("streams (Gbit/s) of the last run: %v", rs[len(rs)-1].StreamGbps)
		})
	}
}
