// Package bench measures goperf from the outside, as a user would: it runs
// goperf and other tools (the system's iperf3, iperf2) as client and server
// processes on loopback, alternately, and compares their throughput.
//
// Absolute numbers on a shared machine are noise; ratios between tools
// measured in the same run, in alternation, are the result. The benchmarks
// (go test -bench . ./bench/) report each tool's median Gbit/s and the
// ratio goperf/iperf3 with b.ReportMetric; -benchtime Nx sets the number
// of alternating rounds.
//
// BenchmarkEchoVsSockperf does the same for round-trip latency: goecho's
// closed loop against the system's sockperf ping-pong (with --full-rtt,
// since sockperf prints half round trips by default), TCP and UDP, 64-byte
// messages; it reports each one's median p50, p99 and p99.9 and the p50
// ratios, and skips when sockperf is missing.
//
// Its benchmarks import the engine and sockopt; its non-test code (the
// contenders that compare and report run) imports only the standard
// library.
package bench
