// Package bench measures goperf from the outside, as a user would: it runs
// goperf and other tools (the system's iperf3, iperf2) as client and server
// processes on loopback, alternately, and compares their throughput.
//
// Absolute numbers on a shared machine are noise; ratios between tools
// measured in the same run, in alternation, are the result. The benchmarks
// (go test -bench . ./bench/) report each tool's median Gbit/s and the
// ratio goperf/iperf3 with b.ReportMetric; -benchtime Nx sets the number
// of alternating rounds.
package bench
