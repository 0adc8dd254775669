package main

import (
	"encoding/json"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// verdict is end.goperf.verdict of a -J document.
type verdict struct{ Limit, Text string }

// runVerdict runs a client in ns with args and -J, and returns its
// verdict and its receiver's rate in bit/s.
func runVerdict(t *testing.T, ns []string, args ...string) (verdict, float64) {
	t.Helper()
	c := start(t, ns, append(args, "-J")...)
	if code := c.Wait(t, 30*time.Second); code != 0 {
		t.Fatalf("client %v exit %d: %s", args, code, c.Stderr.String())
	}
	var doc struct {
		End struct {
			Goperf      struct{ Verdict *verdict }
			SumReceived struct {
				BitsPerSecond float64 `json:"bits_per_second"`
			} `json:"sum_received"`
		}
	}
	if err := json.Unmarshal([]byte(c.Stdout.String()), &doc); err != nil {
		t.Fatalf("client %v: %v", args, err)
	}
	if doc.End.Goperf.Verdict == nil {
		t.Fatalf("client %v: no end.goperf.verdict in\n%s", args, c.Stdout.String())
	}
	return *doc.End.Goperf.Verdict, doc.End.SumReceived.BitsPerSecond
}

// wantLimit checks that v names one of the limits in want.
func wantLimit(t *testing.T, what string, v verdict, want ...string) {
	t.Helper()
	if !slices.Contains(want, v.Limit) {
		t.Errorf("%s: verdict %q (%s), want %v", what, v.Limit, v.Text, want)
	}
	if name := strings.ReplaceAll(v.Limit, "_", " "); len(v.Text) < len(name) || !strings.EqualFold(v.Text[:len(name)], name) {
		t.Errorf("%s: verdict text %q does not start with its limit %q", what, v.Text, v.Limit)
	}
}

// Through a 100 Mbit/s tbf each way the TCP sender fills the qdisc's
// queue: the verdict names the path, in both directions. The rate shows
// the tbf was the bottleneck. Cubic makes the queue's growth the same on
// every machine.
func TestVerdictPath(t *testing.T) {
	a, b := vethPair(t, "vpath")
	va, vb := vethNames("vpath")
	tbf(t, a, va, "100mbit", "50ms")
	tbf(t, b, vb, "100mbit", "50ms")
	srv := start(t, b, "-s", "-a", "192.0.2.2")
	srv.WaitOutput(t, "Listening on 192.0.2.2:5201 using TCP")
	for _, dir := range [][]string{nil, {"-R"}} {
		v, rate := runVerdict(t, a, append([]string{"-c", "192.0.2.2", "-t", "3", "-C", "cubic"}, dir...)...)
		wantLimit(t, "tbf "+strings.Join(dir, ""), v, "path")
		if rate > 100e6 {
			t.Errorf("tbf %v: %.1f Mbit/s through a 100 Mbit/s tbf", dir, rate/1e6)
		}
	}
}

// An 8 KB receive buffer holds a sender whose ACKs queue in a 500 kbit/s
// tbf on their way back: the verdict names the receiver's window. The
// ACKs' queue makes the RTT long against the window, as a long path
// would, and the rate stays low enough that neither end's CPU matters on
// a loaded machine (over loopback it would).
func TestVerdictReceiveWindow(t *testing.T) {
	a, b := vethPair(t, "wwin")
	_, vb := vethNames("wwin")
	tbf(t, b, vb, "500kbit", "300ms")
	srv := start(t, b, "-s", "-a", "192.0.2.2")
	srv.WaitOutput(t, "Listening on 192.0.2.2:5201 using TCP")
	v, _ := runVerdict(t, a, "-c", "192.0.2.2", "-t", "3", "-w", "8K")
	wantLimit(t, "-w 8K", v, "receive_window")
}

// tbf limits the egress of dev, in the namespace of the ip netns exec
// prefix ns, to rate with a queue of latency; it skips without tc.
func tbf(t *testing.T, ns []string, dev, rate, latency string) {
	t.Helper()
	argv := append(slices.Clone(ns), "tc", "qdisc", "add", "dev", dev, "root", "tbf", "rate", rate, "burst", "4kb", "latency", latency)
	if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
		t.Skipf("tbf: %v %s", err, out)
	}
}

// A paced test that reaches its rate is limited by its pacing, TCP and
// UDP, each way.
func TestVerdictPacing(t *testing.T) {
	_, port := server(t)
	for _, args := range [][]string{
		{"--bitrate", "100M"}, {"--bitrate", "100M", "-R"},
		{"-u", "--bitrate", "50M"}, {"-u", "--bitrate", "50M", "-R"},
	} {
		v, _ := runVerdict(t, nil, append([]string{"-c", "127.0.0.1", "-p", port, "-t", "2"}, args...)...)
		wantLimit(t, strings.Join(args, " "), v, "pacing")
		if !strings.Contains(v.Text, "asked rate was reached") {
			t.Errorf("%v: verdict %q", args, v.Text)
		}
	}
}

// A receiver whose stream thread shares its core with two busy loops gets
// a third of it and cannot keep up with a sender on the other core: the
// verdict names the receiver's CPU, each way (it waits for the CPU longer
// than it runs). -A pins both ends' stream threads; the test pins its own
// busy threads to the receiver's core.
func TestVerdictReceiverCPU(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("needs two cores: one for the sender, one the receiver shares with a busy loop")
	}
	_, port := server(t)
	// The receiver runs on core 0 with the busy loop: the server
	// forward, the client with -R.
	for _, c := range []struct {
		affinity string // the client's core, the server's core
		dir      []string
	}{{"1,0", nil}, {"0,1", []string{"-R"}}} {
		stop := hog(t, 0, 2)
		v, _ := runVerdict(t, nil, append([]string{"-c", "127.0.0.1", "-p", port, "-t", "3", "-A", c.affinity}, c.dir...)...)
		stop()
		wantLimit(t, "receiver beside a busy loop "+strings.Join(c.dir, ""), v, "receiver_cpu")
	}
}

// hog spins n threads of the test pinned to core cpu until the returned
// function is called (at the latest at t's cleanup, or after a minute).
func hog(t *testing.T, cpu, n int) (stop func()) {
	t.Helper()
	var halt atomic.Bool
	pinned := make(chan error, n)
	var done sync.WaitGroup
	for range n {
		done.Add(1)
		go func() {
			defer done.Done()
			runtime.LockOSThread() // never unlocked: the pinned thread ends with the goroutine
			var set unix.CPUSet
			set.Set(cpu)
			pinned <- unix.SchedSetaffinity(0, &set)
			for deadline := time.Now().Add(time.Minute); !halt.Load() && time.Now().Before(deadline); {
			}
		}()
	}
	for range n {
		if err := <-pinned; err != nil {
			halt.Store(true)
			t.Skipf("pin a busy thread to core %d: %v", cpu, err)
		}
	}
	stop = sync.OnceFunc(func() { halt.Store(true); done.Wait() })
	t.Cleanup(stop)
	return stop
}
