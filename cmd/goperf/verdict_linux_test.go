package main

import (
	"encoding/json"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goperf/goperf/engine/enginetest"
)

// verdict is end.goperf.verdict of a -J document.
type verdict struct{ Limit, Text string }

// verdictRun is what a verdict test reads of a client's -J document: the
// verdict, the receiver's rate in bit/s and how long each end waited for
// a CPU, in percent of one.
type verdictRun struct {
	verdict
	rate                     float64
	hostWaited, remoteWaited float64
}

// runVerdict runs a client in ns with args and -J.
func runVerdict(t *testing.T, ns []string, args ...string) verdictRun {
	t.Helper()
	c := start(t, ns, append(args, "-J")...)
	if code := c.Wait(t, 30*time.Second); code != 0 {
		t.Fatalf("client %v exit %d: %s", args, code, c.Stderr.String())
	}
	var doc struct {
		End struct {
			Goperf struct {
				Verdict   *verdict
				CPUWaited struct{ Host, Remote float64 } `json:"cpu_waited_percent"`
			}
			SumReceived struct {
				BitsPerSecond float64 `json:"bits_per_second"`
			} `json:"sum_received"`
		}
	}
	if err := json.Unmarshal([]byte(c.Stdout.String()), &doc); err != nil {
		t.Fatalf("client %v: %v", args, err)
	}
	g := doc.End.Goperf
	if g.Verdict == nil {
		t.Fatalf("client %v: no end.goperf.verdict in\n%s", args, c.Stdout.String())
	}
	return verdictRun{*g.Verdict, doc.End.SumReceived.BitsPerSecond, g.CPUWaited.Host, g.CPUWaited.Remote}
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
	oncePerRun(t, "the verdict of a path")
	a, b := vethPair(t, "vpath")
	va, vb := vethNames("vpath")
	tbf(t, a, va, "100mbit", "50ms")
	tbf(t, b, vb, "100mbit", "50ms")
	srv := start(t, b, "-s", "-a", "192.0.2.2")
	srv.WaitOutput(t, "Listening on 192.0.2.2:5201 using TCP")
	for _, dir := range [][]string{nil, {"-R"}} {
		run := runVerdict(t, a, append([]string{"-c", "192.0.2.2", "-t", "3", "-C", "cubic"}, dir...)...)
		v, rate := run.verdict, run.rate
		wantLimit(t, "tbf "+strings.Join(dir, ""), v, "path")
		if rate > 100e6 {
			t.Errorf("tbf %v: %.1f Mbit/s through a 100 Mbit/s tbf", dir, rate/1e6)
		}
	}
}

// An 8 KB receive buffer holds a sender whose ACKs queue in a 500 kbit/s
// tbf on their way back: the verdict names the receiver's window. The
// ACKs' queue makes the RTT long against the window, as a long path
// would, and the rate stays low enough that the receiver's CPU does not
// matter on a quiet machine. On a loaded one (the race detector beside
// other suites) the receiver can wait for a CPU longer than it runs, and
// then a slow receiver is as right a verdict as its window: such a run is
// logged, not checked.
func TestVerdictReceiveWindow(t *testing.T) {
	oncePerRun(t, "the verdict of a window")
	a, b := vethPair(t, "wwin")
	_, vb := vethNames("wwin")
	tbf(t, b, vb, "500kbit", "300ms")
	srv := start(t, b, "-s", "-a", "192.0.2.2")
	srv.WaitOutput(t, "Listening on 192.0.2.2:5201 using TCP")
	run := runVerdict(t, a, "-c", "192.0.2.2", "-t", "3", "-w", "8K")
	if waited := run.remoteWaited; waited >= quietCore && run.Limit == "receiver_cpu" {
		t.Skipf("-w 8K: not built, the receiver waited %.0f%% of one CPU (a loaded machine); verdict %q", waited, run.Text)
	}
	wantLimit(t, "-w 8K", run.verdict, "receive_window")
}

// tbf limits the egress of dev, in the namespace of the ip netns exec
// prefix ns, to rate with a queue of latency; it skips without tc.
func tbf(t *testing.T, ns []string, dev, rate, latency string) {
	t.Helper()
	enginetest.TBF(t, ns, dev, rate, latency)
}

// A paced test that reaches its rate is limited by its pacing, TCP and
// UDP, each way. A sender kept from its CPU on a loaded machine (the race
// detector beside other suites) can fall short, and then names something
// else: such a run is logged, not checked, when the time the sender waited
// for a CPU covers its shortfall; on a quiet machine it waits next to
// nothing and must reach the rate.
func TestVerdictPacing(t *testing.T) {
	_, port := server(t)
	const seconds = 2
	for _, c := range []struct {
		rate float64 // bit/s asked
		args []string
	}{
		{100e6, []string{"--bitrate", "100M"}}, {100e6, []string{"--bitrate", "100M", "-R"}},
		{50e6, []string{"-u", "--bitrate", "50M"}}, {50e6, []string{"-u", "--bitrate", "50M", "-R"}},
	} {
		what := strings.Join(c.args, " ")
		run := runVerdict(t, nil, append([]string{"-c", "127.0.0.1", "-p", port, "-t", strconv.Itoa(seconds)}, c.args...)...)
		short := (1 - run.rate/c.rate) * seconds            // seconds of the rate not delivered
		waited := senderWaited(run, c.args) / 100 * seconds // seconds the sender waited for a CPU
		if run.Limit != "pacing" && short > 0 && waited >= short {
			t.Logf("%s: not built, %.1f%% short of the rate while the sender waited %.0f ms for a CPU (a loaded machine); verdict %q", what, 100*(1-run.rate/c.rate), 1000*waited, run.Text)
			continue
		}
		wantLimit(t, what, run.verdict, "pacing")
		if !strings.Contains(run.Text, "asked rate was reached") {
			t.Errorf("%s: verdict %q", what, run.Text)
		}
	}
}

// A receiver whose stream thread shares its core with two busy loops gets
// a third of it and cannot keep up with a sender on the other core: the
// verdict names the receiver's CPU, each way (it waits for the CPU longer
// than it runs). -A pins both ends' stream threads; the test pins its own
// busy threads to the receiver's core. Placing streams needs a thread per
// stream, so both ends run --io thread whatever GOPERF_IO forces.
func TestVerdictReceiverCPU(t *testing.T) {
	oncePerRun(t, "the verdict of a busy receiver, on --io thread")
	if runtime.NumCPU() < 2 {
		t.Skip("needs two cores: one for the sender, one the receiver shares with a busy loop")
	}
	_, port := server(t, "--io", "thread")
	// The receiver runs on core 0 with the busy loop: the server
	// forward, the client with -R.
	built := 0
	for _, c := range []struct {
		affinity string // the client's core, the server's core
		dir      []string
	}{{"1,0", nil}, {"0,1", []string{"-R"}}} {
		what := "receiver beside a busy loop " + strings.Join(c.dir, "")
		stop := hog(t, 0, 2)
		run := runVerdict(t, nil, append([]string{"-c", "127.0.0.1", "-p", port, "-t", "3", "--io", "thread", "-A", c.affinity}, c.dir...)...)
		stop()
		// The case needs a sender that had its core: on a machine loaded
		// beside the test both ends wait, and naming either is right.
		if waited := senderWaited(run, c.dir); waited >= quietCore {
			t.Logf("%s: not built, the sender waited %.0f%% of one CPU for its own core (a loaded machine); verdict %q", what, waited, run.Text)
			continue
		}
		built++
		t.Logf("%s: %s", what, run.Text)
		wantLimit(t, what, run.verdict, "receiver_cpu")
	}
	if built == 0 {
		t.Skip("the machine is loaded: no sender had its core to itself")
	}
}

// quietCore is the wait for a CPU, in percent of one, below which a
// pinned sender had its core to itself: the verdict counts a stream
// kept waiting from 25% (engine's verdictStarved).
const quietCore = 25.0

// senderWaited is how long the sender of run waited for a CPU: the
// client, or with -R the server.
func senderWaited(run verdictRun, dir []string) float64 {
	if slices.Contains(dir, "-R") {
		return run.remoteWaited
	}
	return run.hostWaited
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
