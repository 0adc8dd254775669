package main

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goperf/goperf/engine/enginetest"
)

// binary builds goperf once per test run.
var binary = enginetest.BuildOnce(".", "goperf")

// proc is a goperf process with its output captured.
type proc = enginetest.Proc

// start runs goperf with args (through prefix, e.g. ip netns exec) and
// kills it at cleanup if it is still running.
func start(t *testing.T, prefix []string, args ...string) *proc {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	argv := append(append(prefix, bin), args...)
	return enginetest.Start(t, exec.Command(argv[0], argv[1:]...))
}

// server starts a goperf server on a free loopback port.
func server(t *testing.T, extra ...string) (*proc, string) {
	t.Helper()
	port := strconv.Itoa(enginetest.FreePort(t))
	s := start(t, nil, append([]string{"-s", "-a", "127.0.0.1", "-p", port}, extra...)...)
	s.WaitOutput(t, "Listening on 127.0.0.1:"+port+" using TCP")
	return s, port
}

// oneErrorLine checks that stderr is one readable error line.
func oneErrorLine(t *testing.T, stderr string) {
	t.Helper()
	enginetest.OneErrorLine(t, "goperf", stderr)
}

// TestAcceptanceCommand runs `goperf -s` and `goperf -c -P 4 -b 131072` as
// a user would.
func TestAcceptanceCommand(t *testing.T) {
	s, port := server(t, "-1")
	c := start(t, nil, "-c", "-P", "4", "-b", "131072", "-t", "2", "-p", port)
	if code := c.Wait(t, 30*time.Second); code != 0 {
		t.Fatalf("client exit %d\n%s\n%s", code, c.Stdout.String(), c.Stderr.String())
	}
	if code := s.Wait(t, 10*time.Second); code != 0 {
		t.Fatalf("server exit %d\n%s", code, s.Stderr.String())
	}
	out := c.Stdout.String()
	for _, re := range []string{
		`^Dialing localhost:` + port + ` using TCP\n`,
		`(?m)(^\[\s*\d+\] local 127\.0\.0\.1 port \d+ connected to 127\.0\.0\.1 port \d+\n){4}`,
		// Interval ends are the moments the counters were read, which a
		// busy machine may delay by a scheduling slice or so.
		`(?m)^\[SUM\]   0\.00-1\.\d\d   sec .* Gbits/sec`,
		`(?m)^\[SUM\]   1\.\d\d-2\.\d\d   sec `,
		`(?m)^\[SUM\]   0\.00-2\.\d\d   sec .*sender$`,
		`(?m)^\[SUM\]   0\.00-2\.\d\d   sec .*receiver$`,
		`goperf Done\.\n$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("client output lacks %s:\n%s", re, out)
		}
	}
	if !regexp.MustCompile(`(?m)^Received \d+ KB in 2\.\d\d seconds \(rate=[\d.]+ Mbps\) from 127\.0\.0\.1:\d+$`).MatchString(s.Stdout.String()) {
		t.Errorf("server output lacks the Received line:\n%s", s.Stdout.String())
	}
}

// TestServerKilledMidTest: the client ends with one line and a non-zero
// status, promptly.
func TestServerKilledMidTest(t *testing.T) {
	for _, dir := range [][]string{nil, {"-R"}} {
		t.Run(fmt.Sprint(dir), func(t *testing.T) {
			s, port := server(t)
			c := start(t, nil, append([]string{"-c", "127.0.0.1", "-p", port, "-t", "20"}, dir...)...)
			c.WaitOutput(t, `0\.00-1\.\d\d`)
			_ = s.Cmd.Process.Kill()
			if code := c.Wait(t, 10*time.Second); code == 0 {
				t.Error("client exit 0 after the server died")
			}
			oneErrorLine(t, c.Stderr.String())
			t.Logf("client: %s", c.Stderr.String())
		})
	}
}

// TestClientKilledMidTest: the server logs one line and serves the next
// client.
func TestClientKilledMidTest(t *testing.T) {
	s, port := server(t)
	for _, dir := range [][]string{nil, {"-R"}, {"--bidir"}} {
		c := start(t, nil, append([]string{"-c", "127.0.0.1", "-p", port, "-t", "20"}, dir...)...)
		c.WaitOutput(t, `0\.00-1\.\d\d`)
		_ = c.Cmd.Process.Kill()
		c.Wait(t, 5*time.Second)
		next := start(t, nil, "-c", "127.0.0.1", "-p", port, "-t", "1")
		if code := next.Wait(t, 30*time.Second); code != 0 {
			t.Fatalf("%v: next client exit %d: %s\nserver log:\n%s", dir, code, next.Stderr.String(), s.Stderr.String())
		}
	}
	if n := strings.Count(s.Stderr.String(), "\n"); n < 3 {
		t.Errorf("server logged %d lines for 3 vanished clients:\n%s", n, s.Stderr.String())
	}
	t.Logf("server log:\n%s", s.Stderr.String())
}

// TestInterruptedClient: SIGINT, as iperf3 3.21 does it: the partial
// interval, a summary of what the client itself counted, one line on
// stderr and exit 0; the server serves on. The receiver's side, which the
// server never reported, is said to be unreported rather than printed as
// 0 bytes; with -J the one document carries the partial end, iperf3's
// error text and goperf.interrupted.
func TestInterruptedClient(t *testing.T) {
	for _, format := range [][]string{nil, {"-J"}} {
		t.Run(fmt.Sprint(format), func(t *testing.T) {
			s, port := server(t)
			c := start(t, nil, append([]string{"-c", "127.0.0.1", "-p", port, "-t", "20"}, format...)...)
			s.WaitOutput(t, `0\.00-1\.\d\d`) // the server's first interval: data flows
			_ = c.Cmd.Process.Signal(syscall.SIGINT)
			if code := c.Wait(t, 5*time.Second); code != 0 {
				t.Errorf("interrupted client exit %d, want 0 as iperf3", code)
			}
			if got := c.Stderr.String(); got != "goperf: interrupt - the client has terminated\n" {
				t.Errorf("stderr %q", got)
			}
			if format == nil {
				checkInterruptedText(t, c.Stdout.String())
			} else {
				checkInterruptedDoc(t, c.Stdout.String())
			}
			next := start(t, nil, "-c", "127.0.0.1", "-p", port, "-t", "1")
			if code := next.Wait(t, 30*time.Second); code != 0 {
				t.Fatalf("next client exit %d: %s\nserver log:\n%s", code, next.Stderr.String(), s.Stderr.String())
			}
		})
	}
}

// checkInterruptedText checks an interrupted client's tables: a sender
// line with bytes, the receiver said to be unreported, no "Done.".
func checkInterruptedText(t *testing.T, out string) {
	t.Helper()
	if !regexp.MustCompile(`sec +[1-9][0-9.]* [KMG]?Bytes .*sender`).MatchString(out) ||
		!strings.Contains(out, "not reported: the test was interrupted  receiver") || strings.Contains(out, "Done.") {
		t.Errorf("partial summary:\n%s", out)
	}
}

// checkInterruptedDoc checks an interrupted client's -J document: one
// document, the bytes sent, iperf3's error text, goperf.interrupted.
func checkInterruptedDoc(t *testing.T, out string) {
	t.Helper()
	var doc struct {
		End struct {
			SumSent struct{ Bytes uint64 } `json:"sum_sent"`
			Goperf  struct{ Interrupted bool }
		}
		Error string
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("-J output is not one document: %v\n%s", err, out)
	}
	if doc.End.SumSent.Bytes == 0 || !doc.End.Goperf.Interrupted || doc.Error != "interrupt - the client has terminated" {
		t.Errorf("document: %+v", doc)
	}
}

// TestUnreachableAndRefused: one line, non-zero, no wait. The unreachable
// host is tried from a network namespace the test makes, which has only
// loopback, so nothing leaves the machine.
func TestUnreachableAndRefused(t *testing.T) {
	port := strconv.Itoa(enginetest.FreePort(t))
	c := start(t, nil, "-c", "127.0.0.1", "-p", port)
	if code := c.Wait(t, 5*time.Second); code == 0 {
		t.Error("exit 0 with no server")
	}
	oneErrorLine(t, c.Stderr.String())
	if !strings.Contains(c.Stderr.String(), "connection refused (is a server running? start one with goperf -s)") {
		t.Errorf("refused: %q", c.Stderr.String())
	}

	ns := netns(t)
	c = start(t, []string{"ip", "netns", "exec", ns}, "-c", "192.0.2.1")
	if code := c.Wait(t, 5*time.Second); code == 0 {
		t.Error("exit 0 for an unreachable host")
	}
	oneErrorLine(t, c.Stderr.String())
	if !strings.Contains(c.Stderr.String(), "network is unreachable") {
		t.Errorf("unreachable: %q", c.Stderr.String())
	}
}

// netns makes an empty network namespace (loopback only) for the test, or
// skips when that needs privileges the test lacks.
func netns(t *testing.T) string {
	return namedNetns(t, "goperf-test")
}

// namedNetns is netns with a name that starts with prefix.
func namedNetns(t *testing.T, prefix string) string {
	t.Helper()
	return enginetest.Netns(t, prefix)
}

// TestServerSignalled: SIGINT or SIGTERM on a server mid-test tells the
// client, which says so in one line and exits non-zero; the server exits 0.
func TestServerSignalled(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			s, port := server(t)
			c := start(t, nil, "-c", "127.0.0.1", "-p", port, "-t", "20", "-u", "--bitrate", "100M")
			c.WaitOutput(t, `0\.00-1\.\d\d`)
			_ = s.Cmd.Process.Signal(sig)
			if code := s.Wait(t, 5*time.Second); code != 0 {
				t.Errorf("server exit %d after %v: %s", code, sig, s.Stderr.String())
			}
			if code := c.Wait(t, 5*time.Second); code == 0 {
				t.Error("client exit 0 after the server was stopped")
			}
			oneErrorLine(t, c.Stderr.String())
			if !strings.Contains(c.Stderr.String(), "the server has terminated the test") {
				t.Errorf("client: %q", c.Stderr.String())
			}
		})
	}
}

// TestServerCapsFlags: the caps' flags reach the server, and their
// refusals reach the client as one line.
func TestServerCapsFlags(t *testing.T) {
	s, port := server(t, "--max-clients", "1", "--server-max-duration", "3", "--server-bitrate-limit", "500M/2")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-t", "4"}, "client's requested duration exceeds the server's maximum permitted limit"},
		{[]string{"-t", "1", "-P", "2", "--bitrate", "300M"}, "total required bandwidth is larger than server limit"},
		{[]string{"-t", "3"}, "total required bandwidth is larger than server limit"}, // unlimited: ended after 2 s
	} {
		c := start(t, nil, append([]string{"-c", "127.0.0.1", "-p", port}, tt.args...)...)
		if code := c.Wait(t, 10*time.Second); code == 0 {
			t.Errorf("%v: exit 0", tt.args)
		}
		oneErrorLine(t, c.Stderr.String())
		if !strings.Contains(c.Stderr.String(), tt.want) {
			t.Errorf("%v: %q, want %q", tt.args, c.Stderr.String(), tt.want)
		}
	}
	long := start(t, nil, "-c", "127.0.0.1", "-p", port, "-t", "2", "--bitrate", "10M")
	long.WaitOutput(t, `0\.00-1\.\d\d`)
	busy := start(t, nil, "-c", "127.0.0.1", "-p", port, "-t", "1")
	if code := busy.Wait(t, 2*time.Second); code == 0 || !strings.Contains(busy.Stderr.String(), "the server is busy") {
		t.Errorf("a second client beside --max-clients 1: exit %d, %q", code, busy.Stderr.String())
	}
	if code := long.Wait(t, 10*time.Second); code != 0 {
		t.Errorf("the running test: exit %d, %s", code, long.Stderr.String())
	}
	// The server logs a refusal after it has told the client, which may
	// have exited by then.
	for deadline := time.Now().Add(5 * time.Second); strings.Count(s.Stderr.String(), "\n") < 4 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if n := strings.Count(s.Stderr.String(), "\n"); n != 4 {
		t.Errorf("server logged %d lines for 4 refusals:\n%s", n, s.Stderr.String())
	}
}
