package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goperf/goperf/engine/enginetest"
)

// The command lines four systems that drive iperf3 build, read from their
// public sources (cloud-bulldozer/k8s-netperf pkg/drivers/iperf.go,
// kubernetes/perf-tests network/benchmarks/netperf/nptest,
// edgard/iperf3_exporter internal/iperf, perfsonar/pscheduler
// pscheduler-tool-iperf3: run and iperf3_parser.py), with the fields
// their parsers read and the JSON type each needs: "num" any number,
// "int" a whole number (Go int fields, pScheduler's integer schema),
// "bool". Durations are cut to a second or two. Not yet here:
// pScheduler's -L (flow label).
var drivers = []struct {
	name   string
	server []string // flags after -s, -p PORT; the server runs as iperf3
	client []string // HOST and PORT stand for the server's
	text   *regexp.Regexp
	fields map[string]string
	auth   bool // pScheduler's RSA authentication, password in IPERF3_PASSWORD
	// notStock: a stock iperf3 server refuses the line on this machine,
	// for a reason of its own.
	notStock string
}{
	{name: "k8s-netperf TCP", client: strings.Fields("-J -P 2 -c HOST -t 1 -l 1024 -p PORT --logfile=LOGFILE"),
		fields: map[string]string{"end.sum_received.bits_per_second": "num", "end.sum_sent.retransmits": "num"}},
	{name: "k8s-netperf UDP", client: strings.Fields("-J -P 1 -c HOST -t 1 -u -l 1024 -p PORT -b 0 --logfile=LOGFILE"),
		fields: map[string]string{"end.sum.bits_per_second": "num", "end.sum.lost_percent": "num", "end.sum_received.bits_per_second": "num"}},
	{name: "perf-tests UDP", server: strings.Fields("HOST -J -i 60"), client: strings.Fields("-c HOST -p PORT -i 30 -t 1 -f m -b 0 -u"),
		text: regexp.MustCompile(`\s+(\S+)\sMbits/sec\s+\S+\s+ms\s+`)},
	{name: "perf-tests TCP", server: strings.Fields("HOST -J -i 60"), client: strings.Fields("-c HOST -p PORT -V -N -i 30 -t 1 -f m -w 512M -Z -P 8 -M 1460"),
		text:     regexp.MustCompile(`SUM.*\s+(\d+)\sMbits/sec\s+receiver`),
		notStock: "-w 512M is over net.core.[rw]mem_max, and a stock server then says socket buffer size not set correctly"},
	{name: "perf-tests throughput (PR 2969)", server: strings.Fields("HOST -J -i 60"),
		client: strings.Fields("-c HOST -p PORT -V -J --time 1.000000 --bandwidth 100M -w 410K -P 1"),
		fields: map[string]string{"start.test_start.num_streams": "int", "start.test_start.blksize": "int", "start.tcp_mss_default": "int",
			"end.sum_sent.bits_per_second": "num", "end.sum_sent.retransmits": "int", "end.streams.0.sender.mean_rtt": "int",
			"end.streams.0.sender.min_rtt": "int", "end.streams.0.sender.max_rtt": "int", "end.cpu_utilization_percent.host_total": "num",
			"end.cpu_utilization_percent.remote_total": "num"}},
	{name: "iperf3_exporter TCP -R", client: strings.Fields("-J -t 1 -c HOST -p PORT -R"),
		fields: map[string]string{"end.sum_sent.seconds": "num", "end.sum_sent.bytes": "num", "end.sum_sent.bits_per_second": "num",
			"end.sum_sent.retransmits": "num", "end.sum_received.seconds": "num", "end.sum_received.bytes": "num"}},
	{name: "iperf3_exporter UDP", client: strings.Fields("-J -t 1 -c HOST -p PORT -u -b 1M/10"),
		fields: map[string]string{"end.streams.0.udp.seconds": "num", "end.streams.0.udp.bytes": "num", "end.streams.0.udp.packets": "num",
			"end.streams.0.udp.jitter_ms": "num", "end.streams.0.udp.lost_packets": "num", "end.streams.0.udp.lost_percent": "num",
			"end.sum.bits_per_second": "num", "end.sum.packets": "num", "end.sum.lost_percent": "num"}},
	{name: "pScheduler TCP", server: strings.Fields("-1 --idle-timeout 20 --json --authorized-users-path USERS --rsa-private-key-path PRIV"),
		client: strings.Fields("-p PORT -c HOST -t 2 --json -i 1 -P 2 -O 0 --rsa-public-key-path PUB --username alice"), auth: true,
		fields: map[string]string{"intervals.0.streams.0.rtt": "int", "intervals.0.streams.0.snd_cwnd": "int", "intervals.0.streams.0.retransmits": "int",
			"intervals.0.streams.0.omitted": "bool", "intervals.0.streams.0.socket": "int", "intervals.0.sum.bits_per_second": "num",
			"end.sum_sent.bits_per_second": "num", "end.sum_received.bits_per_second": "num", "end.streams.0.sender.mean_rtt": "int"}},
	{name: "pScheduler TCP zero-copy fq-rate", server: strings.Fields("-1 --idle-timeout 20 --json --authorized-users-path USERS --rsa-private-key-path PRIV"),
		client: strings.Fields("-p PORT -c HOST -t 2 --json -i 1 -P 1 -O 0 --fq-rate 200000000 -Z --rsa-public-key-path PUB --username alice"), auth: true,
		fields: map[string]string{"intervals.0.streams.0.rtt": "int", "intervals.0.sum.bits_per_second": "num",
			"end.sum_sent.bits_per_second": "num", "end.sum_received.bits_per_second": "num"}},
	{name: "pScheduler UDP", server: strings.Fields("-1 --idle-timeout 20 --json --authorized-users-path USERS --rsa-private-key-path PRIV"),
		client: strings.Fields("-p PORT -c HOST -t 2 --json -u -b 10000000 -l 1400 --rsa-public-key-path PUB --username alice"), auth: true,
		fields: map[string]string{"intervals.0.streams.0.packets": "int", "end.sum_sent.packets": "int", "end.streams.0.udp.jitter_ms": "num",
			"end.streams.0.udp.lost_packets": "int", "end.sum_received.bits_per_second": "num"}},
}

// TestDrivers runs each driver's command lines with goperf as iperf3 on
// both ends, and its client against a stock iperf3 server where one is
// installed (pkcs1 padding then, as pScheduler adds for an iperf3 before
// 3.17), and checks that the fields its parser reads are there, in the
// type it needs, or that its text regexp matches a number.
func TestDrivers(t *testing.T) {
	bin := asIperf3(t)
	priv, pub, users := keyFiles(t)
	servers := map[string]string{"goperf": bin}
	if stock, err := exec.LookPath("iperf3"); err == nil && !strings.Contains(stock, t.TempDir()) {
		servers["stock iperf3"] = stock
	}
	for _, d := range drivers {
		for kind, server := range servers {
			t.Run(d.name+" against "+kind, func(t *testing.T) {
				if d.notStock != "" && kind != "goperf" {
					t.Skip(d.notStock)
				}
				if os.Getenv("GOPERF_IO") == "netconn" && slices.Contains(d.client, "-Z") {
					t.Skip("--io netconn has no descriptor for -Z, and refuses it (engine's fast-path tests)")
				}
				port := strconv.Itoa(enginetest.FreePort(t))
				logfile := filepath.Join(t.TempDir(), "iperf.json")
				fill := func(args []string) []string {
					r := strings.NewReplacer("HOST", "127.0.0.1", "PORT", port, "LOGFILE", logfile, "USERS", users, "PRIV", priv, "PUB", pub)
					out := make([]string, len(args))
					for i, a := range args {
						out[i] = r.Replace(a)
					}
					return out
				}
				srvArgs := append([]string{"-s", "-p", port}, fill(d.server)...)
				clientArgs := fill(d.client)
				if d.auth && kind != "goperf" {
					// pScheduler's side at 3.17 or later pads for the older one
					clientArgs = append([]string{"--use-pkcs1-padding"}, clientArgs...)
				}
				srv := enginetest.Start(t, exec.Command(server, srvArgs...))
				for deadline := time.Now().Add(10 * time.Second); !listening(t, port) && time.Now().Before(deadline); {
					time.Sleep(20 * time.Millisecond) // not a probe connection: a -1 server would take it for its test
				}
				cmd := exec.Command(bin, clientArgs...)
				cmd.Env = append(os.Environ(), "IPERF3_PASSWORD=secret")
				cli := enginetest.Start(t, cmd)
				if code := cli.Wait(t, 30*time.Second); code != 0 {
					t.Fatalf("iperf3 %v: exit %d\n%s%s\nserver: %s%s", clientArgs, code, cli.Stdout.String(), cli.Stderr.String(), srv.Stdout.String(), srv.Stderr.String())
				}
				out := cli.Stdout.String()
				if strings.Contains(strings.Join(d.client, " "), "--logfile") {
					b, err := os.ReadFile(logfile)
					if err != nil {
						t.Fatal(err)
					}
					out = string(b)
				}
				if d.text != nil {
					m := d.text.FindStringSubmatch(out)
					if v, err := strconv.ParseFloat(firstOr(m), 64); err != nil || v <= 0 {
						t.Errorf("%v matches %q in:\n%s", d.text, m, out)
					}
					return
				}
				var doc map[string]any
				dec := json.NewDecoder(strings.NewReader(out))
				dec.UseNumber() // "10" is an int to a Go parser, "10.0" is not
				if err := dec.Decode(&doc); err != nil {
					t.Fatalf("not one JSON document: %v\n%s", err, out)
				}
				for path, want := range d.fields {
					if got := jsonKind(lookup(doc, path)); got != want && !(want == "num" && got == "int") {
						t.Errorf("%s: %s, the parser needs %s", path, got, want)
					}
				}
			})
		}
	}
}

func firstOr(m []string) string {
	if len(m) < 2 {
		return ""
	}
	return m[1]
}

// lookup walks a decoded document by a dotted path; numbers index arrays.
func lookup(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// jsonKind names what a parser finds: int (a number spelled as one),
// num, bool, or missing.
func jsonKind(v any) string {
	switch x := v.(type) {
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return "int"
		}
		return "num"
	case bool:
		return "bool"
	case nil:
		return "missing"
	}
	return "other"
}

// listening reports whether a TCP socket listens on port, from the
// kernel's tables, without connecting to it.
func listening(t *testing.T, port string) bool {
	t.Helper()
	p, _ := strconv.Atoi(port)
	want := fmt.Sprintf(":%04X", p) // the tables' local address ends so
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(table)
		if err != nil {
			t.Skipf("no %s here: %v", table, err)
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) > 3 && f[3] == "0A" && strings.HasSuffix(f[1], want) {
				return true
			}
		}
	}
	return false
}
