// Command compare runs goperf and the system's iperf3 (and iperf 2 where
// installed, and any iperf3 named by -iperf3) alternately, several rounds
// each, for TCP 8K/128K/1M with 1 and 4 streams and UDP 1400-byte
// datagrams unlimited, and prints their median receiver rates and
// goperf's ratio to each as a Markdown table; it writes the table and the
// raw figures as JSON too. `make compare` runs it.
//
//	go run ./bench/compare [-rounds 3] [-seconds 3] [-iperf3 PATH]... [-out bench/out]
//	go run ./bench/compare -remote HOST [-goperf-port 5201] [-iperf3-port 5202] [-iperf2-port 5001]
//
// With -remote it starts no servers: run `goperf -s`, `iperf3 -s` and
// `iperf -s` on HOST on those ports, and the clients here test against
// them.
//
// It imports bench (the contenders and their runs).
package main
