package engine

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goperf/goperf/sockopt"
)

// fastCase is one fast path as a goperf test and as iperf3's flags. needs
// is the flag a stock iperf3's --help must list for the case to run.
type fastCase struct {
	name  string
	spec  Spec
	cpus  []int // the client's placement
	flags []string
	needs string
}

// twoCPUs returns two cores this process may run on, or the one twice.
func twoCPUs(t *testing.T) (a, b int) {
	t.Helper()
	cpus, err := sockopt.AllowedCPUs()
	if err != nil || len(cpus) == 0 {
		t.Skipf("no CPU affinity here: %v", err)
	}
	return cpus[0], cpus[min(1, len(cpus)-1)]
}

// fastCases are the fast paths, each forward and reverse.
func fastCases(t *testing.T) []fastCase {
	a, b := twoCPUs(t)
	base := []fastCase{
		{"zerocopy", Spec{ZeroCopy: true}, nil, []string{"-Z"}, "--zerocopy"},
		{"skip_rx_copy", Spec{SkipRxCopy: true}, nil, []string{"--skip-rx-copy"}, "--skip-rx-copy"},
		{"affinity", Spec{ServerCPUs: []int{b}}, []int{a}, []string{"-A", fmt.Sprintf("%d,%d", a, b)}, "--affinity"},
		{"fq_rate", Spec{FQRate: 500e6}, nil, []string{"--fq-rate", "500M"}, "--fq-rate"},
	}
	var cases []fastCase
	for _, c := range base {
		c.spec.Streams, c.spec.Length, c.spec.Duration = 1, DefaultTCPLength, time.Second
		cases = append(cases, c)
		c.name, c.spec.Direction, c.flags = c.name+"_R", Reverse, append([]string{"-R"}, c.flags...)
		cases = append(cases, c)
	}
	return cases
}

// refused reports whether an end in mode must refuse c: zero copy and
// skip rx copy need a descriptor, placement a thread per stream.
func (c *fastCase) refused(mode IOMode) bool {
	placed := c.cpus != nil || c.spec.ServerCPUs != nil
	return mode == IONetConn && (c.spec.ZeroCopy || c.spec.SkipRxCopy || placed) || mode == IORaw && placed
}

// refusal is iperf3's text for the code a goperf server refuses c with.
func (c *fastCase) refusal() string {
	switch {
	case c.spec.ZeroCopy:
		return "this OS does not support sendfile"
	case c.spec.SkipRxCopy:
		return "this OS does not support --skip-rx-copy"
	}
	return "unable to set CPU affinity"
}

// checkFastEnd checks, in a goperf end's -J document, that c took effect
// on that end's streams: sends says whether it sent, cpu is the core it
// placed them on (-1: none).
func checkFastEnd(t *testing.T, who string, doc map[string]any, c *fastCase, sends bool, cpu int) {
	t.Helper()
	paths, _ := path(doc, "end", "goperf", "paths").([]any)
	zc, skip := c.spec.ZeroCopy && sends, c.spec.SkipRxCopy && !sends
	if want := zc || skip || cpu >= 0; want != (len(paths) > 0) {
		t.Fatalf("%s: end.goperf.paths = %v; want a path per stream: %v", who, paths, want)
	}
	for i := range paths {
		z := path(paths, i, "zerocopy")
		switch {
		case zc && (num(z, "sends") <= 0 || num(z, "pending") != 0 || num(z, "completed") != num(z, "msg_sends")):
			t.Errorf("%s: zero copy did not complete every send: %v", who, z)
		case !zc && z != nil:
			t.Errorf("%s: zero copy on a stream that does not send: %v", who, z)
		case skip != (path(paths, i, "skip_rx_copy") == true):
			t.Errorf("%s: skip_rx_copy = %v, want %v", who, path(paths, i, "skip_rx_copy"), skip)
		}
		if cpu >= 0 && (!reflect.DeepEqual(path(paths, i, "cpus_allowed"), []any{float64(cpu)}) || num(paths, i, "cpu") != float64(cpu)) {
			t.Errorf("%s: stream placed on %v, ran on %v; want CPU %d", who, path(paths, i, "cpus_allowed"), path(paths, i, "cpu"), cpu)
		}
	}
	if c.spec.FQRate > 0 {
		if got := num(doc, "start", "goperf", "sockets", 0, "max_pacing_rate"); got != float64(c.spec.FQRate/8) {
			t.Errorf("%s: SO_MAX_PACING_RATE read back %v, want %d bytes/s", who, got, c.spec.FQRate/8)
		}
	}
}

// stockBins are the system's iperf3 and IPERF3_EXTRA's build.
func stockBins(t *testing.T) []string {
	bins := []string{iperf3(t)}
	if extra := os.Getenv("IPERF3_EXTRA"); extra != "" {
		bins = append(bins, extra)
	}
	return bins
}

// knows reports whether the iperf3 at bin lists flag in its --help.
func knows(bin, flag string) bool {
	out, _ := exec.Command(bin, "--help").CombinedOutput()
	return bytes.Contains(out, []byte(flag))
}

// TestFastPathsGoperfClientIperf3Server: -Z, --skip-rx-copy, -A and
// --fq-rate, forward and -R, from a goperf client to each stock iperf3
// server that knows the flag: both ends agree on the bytes, and the
// client's report says the path took effect on its side.
func TestFastPathsGoperfClientIperf3Server(t *testing.T) {
	for _, bin := range stockBins(t) {
		for _, c := range fastCases(t) {
			if !knows(bin, c.needs) {
				continue
			}
			t.Run(c.name, func(t *testing.T) {
				cfg := ClientConfig{Spec: c.spec, Host: "127.0.0.1", CPUs: c.cpus, IO: testIO}
				if c.refused(testIO) {
					if err := cfg.Check(); err == nil {
						t.Errorf("--io %v accepts %s", testIO, c.name)
					}
					return
				}
				var wait func() map[string]any
				cfg.Port, wait = startIperf3Server(t, bin)
				sum, doc := dialDocUntilUp(t, cfg)
				srv := wait()
				if sum == nil {
					return
				}
				compareWithStock(t, bin, sum, srv)
				checkFastEnd(t, "goperf client", doc, &c, c.spec.Direction == Forward, cpuFor(c.cpus, 0))
			})
		}
	}
}

// compareWithStock is compareWithIperf3 for the system's iperf3. A later
// build's sender (3.21) reports its bytes as they stood before its last
// write: goperf's receiver counts up to one block per stream more, which
// the kernel delivered.
func compareWithStock(t *testing.T, bin string, sum *Summary, doc map[string]any) {
	t.Helper()
	if sys, _ := exec.LookPath("iperf3"); bin == sys || sum.Forward.Local {
		compareWithIperf3(t, sum, doc)
		return
	}
	sent, got := num(doc, "end", "sum_sent", "bytes"), float64(sum.Forward.Receiver.Bytes)
	if block := float64(DefaultTCPLength); sent <= 0 || got < sent || got > sent+block {
		t.Errorf("iperf3 %s says it sent %v bytes; goperf received %v", bin, sent, got)
	}
}

// dialDocUntilUp is dialUntilUp with the client's -J document.
func dialDocUntilUp(t *testing.T, cfg ClientConfig) (*Summary, map[string]any) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		sum, doc, err := runClient(t, cfg)
		if err == nil {
			return sum, doc
		}
		if time.Now().After(deadline) || !strings.Contains(err.Error(), "connection refused") {
			t.Errorf("goperf client: %v", err)
			return nil, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestFastPathsIperf3ClientGoperfServer: the same from each stock iperf3
// client to a goperf server, which honours zerocopy, skip_rx_copy,
// server_affinity and fqrate, or, in an I/O mode that cannot, refuses
// with iperf3's code.
func TestFastPathsIperf3ClientGoperfServer(t *testing.T) {
	for _, bin := range stockBins(t) {
		ts := startServer(t, ServerConfig{}, JSON)
		n := 0
		for _, c := range fastCases(t) {
			if !knows(bin, c.needs) {
				continue
			}
			t.Run(c.name, func(t *testing.T) {
				args := append([]string{"-c", "127.0.0.1", "-p", strconv.Itoa(ts.port), "-J", "-t", "1"}, c.flags...)
				if c.refused(testIO) {
					out, _ := exec.Command(bin, args...).CombinedOutput()
					if want := c.refusal(); !bytes.Contains(out, []byte(want)) {
						t.Errorf("--io %v: a goperf server did not refuse %s with %q: %s", testIO, c.name, want, out)
					}
					return // a refused test prints no document
				}
				cli, srv := iperf3ClientAgainst(t, bin, ts, n, args)
				n++
				for _, key := range []string{"sum_sent", "sum_received"} {
					if c, s := num(cli, "end", key, "bytes"), num(srv, "end", key, "bytes"); c != s || c <= 0 {
						t.Errorf("%s: iperf3 client says %v bytes, goperf server %v", key, c, s)
					}
				}
				checkFastEnd(t, "goperf server", srv, &c, c.spec.Direction == Reverse, cpuFor(c.spec.ServerCPUs, 0))
			})
		}
	}
}

// TestFastPathsGoperfBoth: goperf to goperf, TCP and UDP, where both ends'
// reports can be read; the UDP receiver that skips the copy still
// accounts for every datagram.
func TestFastPathsGoperfBoth(t *testing.T) {
	ts := startServer(t, ServerConfig{}, JSON)
	cases := fastCases(t)
	for _, u := range []fastCase{
		{"udp_skip_rx_copy", Spec{Proto: UDP, SkipRxCopy: true, Bitrate: 200e6, Length: 1400}, nil, nil, ""},
		{"udp_skip_rx_copy_R", Spec{Proto: UDP, SkipRxCopy: true, Bitrate: 200e6, Length: 1400, Direction: Reverse}, nil, nil, ""},
	} {
		u.spec.Streams, u.spec.Duration = 1, time.Second
		cases = append(cases, u)
	}
	n := 0
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := ClientConfig{Spec: c.spec, Host: "127.0.0.1", Port: ts.port, CPUs: c.cpus, IO: testIO}
			if c.refused(testIO) {
				return // the stock peers' tests check the refusals
			}
			sum, doc, err := runClient(t, cfg)
			n++
			if err != nil {
				t.Fatalf("client: %v", err)
			}
			docs := serverDocs(t, ts.out.String())
			if len(docs) != n {
				t.Fatalf("server printed %d documents after %d tests", len(docs), n)
			}
			fwd := c.spec.Direction == Forward
			checkFastEnd(t, "goperf client", doc, &c, fwd, cpuFor(c.cpus, 0))
			checkFastEnd(t, "goperf server", docs[n-1], &c, !fwd, cpuFor(c.spec.ServerCPUs, 0))
			snd, rcv := sum.Forward.Sender, sum.Forward.Receiver
			switch {
			case rcv.UDP != nil && (rcv.UDP.Packets == 0 || rcv.UDP.Packets+rcv.UDP.Lost != snd.UDP.Packets):
				t.Errorf("UDP: %d sent, %d received, %d lost", snd.UDP.Packets, rcv.UDP.Packets, rcv.UDP.Lost)
			case rcv.UDP == nil && (snd.Bytes != rcv.Bytes || snd.Bytes == 0):
				t.Errorf("sent %d bytes, received %d", snd.Bytes, rcv.Bytes)
			}
		})
	}
}

// TestPlacementOnCores reads, while a test runs, every thread of this
// process that is placed on one core (Cpus_allowed_list in
// /proc/self/task/TID/status) and the core it last ran on (field 39 of
// /proc/self/task/TID/stat): the client's two streams, placed by -A's
// per-stream list on a and b, and the server's two, placed by its own
// list on b and a, are found on exactly those cores.
func TestPlacementOnCores(t *testing.T) {
	a, b := twoCPUs(t)
	if a == b {
		t.Skip("one core: every thread is on it")
	}
	if testIO != IOAuto && testIO != IOThread {
		t.Skipf("--io %v places nothing", testIO)
	}
	ts := startServer(t, ServerConfig{CPUs: []int{b, a}}, JSON)
	cfg := ClientConfig{Spec: Spec{Streams: 2, Length: DefaultTCPLength, Duration: 2 * time.Second},
		Host: "127.0.0.1", Port: ts.port, CPUs: []int{a, b}, IO: testIO}
	type result struct {
		sum *Summary
		err error
	}
	done := make(chan result, 1)
	go func() {
		sum, _, err := runClient(t, cfg)
		done <- result{sum, err}
	}()
	want := map[int]int{a: 2, b: 2} // placed threads per core
	var seen map[int]int
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline) && !reflect.DeepEqual(seen, want); {
		time.Sleep(100 * time.Millisecond)
		seen = placedThreads(t)
	}
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("threads placed on one core, by the core they ran on: %v; want %v", seen, want)
	}
	for i, ss := range r.sum.Streams {
		if c := []int{a, b}[i%2]; ss.Path.CPU != c || !reflect.DeepEqual(ss.Path.Allowed, []int{c}) {
			t.Errorf("client stream %d: placed on %v, ran on %d; want %d", ss.ID, ss.Path.Allowed, ss.Path.CPU, c)
		}
	}
}

// placedThreads counts this process's threads whose affinity is one core
// and that last ran on it, by core; a thread placed on one core that ran
// on another fails the test.
func placedThreads(t *testing.T) map[int]int {
	t.Helper()
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	placed := map[int]int{}
	for _, task := range tasks {
		dir := "/proc/self/task/" + task.Name()
		status, err1 := os.ReadFile(dir + "/status")
		stat, err2 := os.ReadFile(dir + "/stat")
		if err1 != nil || err2 != nil {
			continue // the thread ended
		}
		core, ok := singleCore(string(status))
		if !ok {
			continue
		}
		ran := lastCPU(string(stat))
		if ran != core {
			t.Errorf("thread %s is placed on CPU %d but last ran on %d", task.Name(), core, ran)
		}
		placed[core]++
	}
	return placed
}

// singleCore returns the core of a status file whose Cpus_allowed_list is
// one core.
func singleCore(status string) (int, bool) {
	for line := range strings.Lines(status) {
		if v, ok := strings.CutPrefix(line, "Cpus_allowed_list:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			return n, err == nil
		}
	}
	return 0, false
}

// lastCPU returns field 39 of a stat file, "processor": the core the
// thread last ran on. The fields are counted after the command name,
// which may hold spaces, and its closing parenthesis; -1 if malformed.
func lastCPU(stat string) int {
	i := strings.LastIndexByte(stat, ')')
	fields := strings.Fields(stat[i+1:]) // field 3 onwards
	if i < 0 || len(fields) < 37 {
		return -1
	}
	n, err := strconv.Atoi(fields[39-3])
	if err != nil {
		return -1
	}
	return n
}

// TestFlowLabelStreams: -L over IPv6 loopback against a stock iperf3
// server (sockopt's test reads the label off the wire), and a clear
// refusal towards an IPv4 server.
func TestFlowLabelStreams(t *testing.T) {
	bin := iperf3(t)
	if !sockopt.FlowLabels {
		t.Skip("no flow labels in this build")
	}
	if ln, err := net.Listen("tcp6", "[::1]:0"); err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	} else {
		ln.Close()
	}
	port := freePort(t)
	var out bytes.Buffer
	cmd := exec.Command(bin, "-s", "-1", "-J", "-B", "::1", "-p", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	spec := Spec{Streams: 2, Length: DefaultTCPLength, Duration: time.Second, FlowLabel: 0xbeef}
	sum := dialUntilUp(t, ClientConfig{Spec: spec, Host: "::1", Port: port, IO: testIO})
	srv := runIperf3(t, cmd, &out, 20*time.Second)
	if sum != nil {
		compareWithIperf3(t, sum, srv)
	}
	ts := startServer(t, ServerConfig{}, JSON)
	_, _, err := runClient(t, ClientConfig{Spec: spec, Host: "127.0.0.1", Port: ts.port, IO: testIO})
	if err == nil || !strings.Contains(err.Error(), "needs an IPv6 server address") {
		t.Errorf("-L towards an IPv4 server: %v", err)
	}
}
