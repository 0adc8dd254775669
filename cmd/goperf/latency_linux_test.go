package main

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/goperf/goperf/engine/enginetest"
)

// latencyFigures is a --latency figure of a -J document.
type latencyFigures struct {
	Count, Unanswered uint64
	RTT               struct{ P50, Max float64 } `json:"rtt_us"`
}

// latencyDoc is what the latency tests read of a client's -J document.
type latencyDoc struct {
	Intervals []struct {
		Sum    struct{ Omitted bool }
		Goperf *struct{ Latency *latencyFigures }
	}
	End struct {
		Goperf struct {
			Latency *struct {
				Source       string
				Idle, Loaded latencyFigures
				Note         string
			}
		}
		SumReceived struct {
			BitsPerSecond float64 `json:"bits_per_second"`
		} `json:"sum_received"`
	}
}

// runLatency runs a client in ns with args, --latency and -J, and returns
// its document and its standard error.
func runLatency(t *testing.T, ns []string, args ...string) (latencyDoc, string) {
	t.Helper()
	c := start(t, ns, append(args, "--latency", "-J")...)
	if code := c.Wait(t, 30*time.Second); code != 0 {
		t.Fatalf("client %v exit %d: %s", args, code, c.Stderr.String())
	}
	var doc latencyDoc
	if err := json.Unmarshal([]byte(c.Stdout.String()), &doc); err != nil {
		t.Fatalf("client %v: %v", args, err)
	}
	if doc.End.Goperf.Latency == nil {
		t.Fatalf("client %v: no end.goperf.latency in\n%s", args, c.Stdout.String())
	}
	return doc, c.Stderr.String()
}

// tbfQueue is the path: a 100 Mbit/s tbf each way with up to
// 400 ms of queue, on a router between client (a) and server (b).
func tbfQueue(t *testing.T, what string) (a, b []string) {
	t.Helper()
	return enginetest.QueuedPath(t, what, "100mbit", "400ms")
}

// Through a 100 Mbit/s tbf each way, a goperf server echoes the probe: its
// idle round trips, taken before the data streams connect, see an empty
// queue; under load every interval's median sees the queue the tbf built,
// ten times the idle one and more, TCP and UDP, forward and reverse. The
// first interval is the ramp that fills the queue and is not checked. A
// UDP test offers 150 Mbit/s, so that the queue fills within a second.
func TestLatencyUnderLoad(t *testing.T) {
	oncePerRun(t, "the probe through a queue")
	a, b := tbfQueue(t, "rtt")
	srv := start(t, b, "-s", "-a", "198.51.100.2")
	srv.WaitOutput(t, "Listening on 198.51.100.2:5201 using TCP")
	for _, args := range [][]string{
		{"-C", "cubic"}, {"-C", "cubic", "-R"},
		{"-u", "-l", "1400", "--bitrate", "150M"}, {"-u", "-l", "1400", "--bitrate", "150M", "-R"},
	} {
		what := strings.Join(args, " ")
		doc, _ := runLatency(t, a, append([]string{"-c", "198.51.100.2", "-t", "4", "-i", "1"}, args...)...)
		lat := doc.End.Goperf.Latency
		if lat.Source != "probe" || lat.Idle.Count != 20 {
			t.Errorf("%s: source %q, %d idle round trips; want the probe's 20", what, lat.Source, lat.Idle.Count)
			continue
		}
		idle := lat.Idle.RTT.P50
		if idle <= 0 || idle >= 10e3 {
			t.Errorf("%s: idle p50 %.0f µs: the queue is empty before the load, a veth's round trip is far below 10 ms", what, idle)
		}
		t.Logf("%s: idle p50 %.0f µs, loaded p50 %.0f µs over %d round trips (%d unanswered), %.1f Mbit/s",
			what, idle, lat.Loaded.RTT.P50, lat.Loaded.Count, lat.Loaded.Unanswered, doc.End.SumReceived.BitsPerSecond/1e6)
		if len(doc.Intervals) < 4 {
			t.Errorf("%s: %d intervals, want 4", what, len(doc.Intervals))
		}
		for i, iv := range doc.Intervals {
			if iv.Goperf == nil || iv.Goperf.Latency == nil {
				t.Errorf("%s: interval %d has no goperf.latency", what, i)
				continue
			}
			l := iv.Goperf.Latency
			t.Logf("%s: interval %d: p50 %.0f µs, max %.0f µs, %d round trips, %d unanswered", what, i, l.RTT.P50, l.RTT.Max, l.Count, l.Unanswered)
			if i > 0 && l.Count > 0 && l.RTT.P50 < 10*idle {
				t.Errorf("%s: interval %d: loaded p50 %.0f µs, under 10× the idle %.0f µs", what, i, l.RTT.P50, idle)
			}
			if i > 0 && l.Count == 0 && l.Unanswered == 0 {
				t.Errorf("%s: interval %d: no round trip sent", what, i)
			}
		}
	}
}

// Against a stock iperf3 server the client says the probe cannot be
// echoed, the test ends normally, and the latency is the streams'
// TCP_INFO RTT: a sender's, forward, and a receiver's own estimate, -R.
func TestLatencyStockServer(t *testing.T) {
	oncePerRun(t, "the probe's fallback against iperf3")
	iperf3 := enginetest.Need(t, "iperf3")
	a, b := tbfQueue(t, "stock")
	srv := enginetest.Start(t, exec.Command(b[0], append(b[1:], iperf3, "-s", "-B", "198.51.100.2", "--forceflush")...))
	srv.WaitOutput(t, "Server listening on 5201")
	for _, dir := range [][]string{nil, {"-R"}} {
		what := "stock iperf3 " + strings.Join(dir, "")
		doc, stderr := runLatency(t, a, append([]string{"-c", "198.51.100.2", "-t", "3", "-i", "1", "-C", "cubic"}, dir...)...)
		lat := doc.End.Goperf.Latency
		if !strings.Contains(stderr, "cannot echo a latency probe") {
			t.Errorf("%s: standard error does not say the server cannot echo the probe: %q", what, stderr)
		}
		if lat.Source != "tcp_info" || lat.Note == "" {
			t.Errorf("%s: source %q, note %q; want tcp_info and why", what, lat.Source, lat.Note)
		}
		if lat.Loaded.Count == 0 || lat.Loaded.RTT.P50 <= 0 {
			t.Errorf("%s: loaded %+v: no TCP_INFO RTT", what, lat.Loaded)
		}
		t.Logf("%s: idle (control) p50 %.0f µs, loaded p50 %.0f µs over %d readings", what, lat.Idle.RTT.P50, lat.Loaded.RTT.P50, lat.Loaded.Count)
	}
}
