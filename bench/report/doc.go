// Command report runs the buffer-size sweep behind `make report` and
// writes bench/out/report.md with a chart, throughput.svg.
//
// For each buffer size from 1 KiB to 1 MiB, one stream, it runs in turn:
// goperf's engine (BenchmarkTCPSweep, with a CPU profile), a plain Go
// net.Conn loop (BenchmarkPlainConn, with a CPU profile), the system's
// iperf3 with -l, any further iperf3 named by -iperf3, and iperf 2 where
// installed. It attributes each profile with bench/attrib, fits each
// tool's time per write with bench/costmodel, and explains the curve in
// words made from this run's figures.
//
//	go run ./bench/report [-seconds 2] [-rounds 2] [-out bench/out] [-iperf3 /path/to/iperf3-3.21]
//
// It imports bench, bench/attrib and bench/costmodel.
package main
