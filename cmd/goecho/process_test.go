package main

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goperf/goperf/engine/enginetest"
)

// binary builds goecho once per test run.
var binary = enginetest.BuildOnce(".", "goecho")

// proc is a goecho process with its output captured.
type proc = enginetest.Proc

// start runs goecho with args and stdin, and kills it at cleanup if it is
// still running.
func start(t *testing.T, stdin string, args ...string) *proc {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	return enginetest.Start(t, cmd)
}

// freePort returns a loopback port that was free for TCP and UDP a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	port := pc.LocalAddr().(*net.UDPAddr).Port
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return freePort(t)
	}
	ln.Close()
	return strconv.Itoa(port)
}

// server starts a goecho server on a free loopback port.
func server(t *testing.T, proto string, extra ...string) (*proc, string) {
	t.Helper()
	port := freePort(t)
	args := []string{"-s", "-a", "127.0.0.1", "-p", port}
	if proto == "udp" {
		args = append(args, "-u")
	}
	s := start(t, "", append(args, extra...)...)
	s.WaitOutput(t, "^Listening on 127.0.0.1:"+port+" using "+proto+"\n")
	return s, port
}

// protoFlags returns the client flags for proto.
func protoFlags(proto string) []string {
	if proto == "udp" {
		return []string{"-u"}
	}
	return nil
}

// TestAcceptancePlain: `printf 'hello\nworld\n' | goecho -c` against
// `goecho -s` prints both lines, TCP and UDP, exit 0.
func TestAcceptancePlain(t *testing.T) {
	for _, proto := range []string{"tcp", "udp"} {
		t.Run(proto, func(t *testing.T) {
			_, port := server(t, proto)
			c := start(t, "hello\nworld\n", append([]string{"-c", "-p", port}, protoFlags(proto)...)...)
			if code := c.Wait(t, 10*time.Second); code != 0 {
				t.Fatalf("exit %d: %s", code, c.Stderr.String())
			}
			want := "Dialing localhost:" + port + " using " + proto + "\nhello\nworld\n"
			if got := c.Stdout.String(); got != want || c.Stderr.String() != "" {
				t.Errorf("stdout %q, stderr %q; want %q", got, c.Stderr.String(), want)
			}
		})
	}
}

// TestAcceptanceLatency: `goecho -c --latency -t 1 -m 64` prints the
// percentiles, and -J gives them as JSON; UDP too. --histogram writes the
// distribution.
func TestAcceptanceLatency(t *testing.T) {
	for _, proto := range []string{"tcp", "udp"} {
		t.Run(proto, func(t *testing.T) {
			_, port := server(t, proto)
			base := append([]string{"-c", "127.0.0.1", "-p", port, "--latency", "-t", "1", "-m", "64", "--warmup", "0.2"}, protoFlags(proto)...)
			c := start(t, "", base...)
			if code := c.Wait(t, 20*time.Second); code != 0 {
				t.Fatalf("exit %d: %s", code, c.Stderr.String())
			}
			for _, name := range []string{"p50", "p90", "p99", "p99.9", "p99.99", "max", "mean", "stddev"} {
				if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(name) + ` +[\d.]+ us$`).MatchString(c.Stdout.String()) {
					t.Errorf("text report lacks %s:\n%s", name, c.Stdout.String())
				}
			}
			hist := filepath.Join(t.TempDir(), "hist.txt")
			j := start(t, "", append(base, "-J", "--histogram", hist)...)
			if code := j.Wait(t, 20*time.Second); code != 0 {
				t.Fatalf("-J exit %d: %s", code, j.Stderr.String())
			}
			var doc struct {
				Protocol string
				Echoed   uint64
				Errors   int
				RTT      map[string]float64 `json:"rtt_us"`
			}
			if err := json.Unmarshal([]byte(j.Stdout.String()), &doc); err != nil {
				t.Fatalf("-J output is not JSON: %v\n%s", err, j.Stdout.String())
			}
			r := doc.RTT
			if doc.Protocol != proto || doc.Echoed == 0 || doc.Errors != 0 || !(0 < r["p50"] && r["p50"] <= r["p90"] &&
				r["p90"] <= r["p99"] && r["p99"] <= r["p99_9"] && r["p99_9"] <= r["p99_99"] && r["p99_99"] <= r["max"]) {
				t.Errorf("implausible document: %+v", doc)
			}
			if b, err := os.ReadFile(hist); err != nil || !bytes.Contains(b, []byte("#[Max     =")) {
				t.Errorf("histogram file: %v\n%s", err, b)
			}
		})
	}
}

// TestNoServer: one error line with a hint and exit 1, both protocols.
func TestNoServer(t *testing.T) {
	for _, proto := range []string{"tcp", "udp"} {
		c := start(t, "hello\n", append([]string{"-c", "127.0.0.1", "-p", freePort(t)}, protoFlags(proto)...)...)
		if code := c.Wait(t, 10*time.Second); code != 1 {
			t.Errorf("%s: exit %d, want 1", proto, code)
		}
		oneErrorLine(t, c.Stderr.String())
		if !strings.Contains(c.Stderr.String(), "is a server running?") {
			t.Errorf("%s: no hint in %q", proto, c.Stderr.String())
		}
	}
}

// TestSignals: SIGINT ends a server, and a client in the middle of a
// measurement, which still prints what it measured.
func TestSignals(t *testing.T) {
	s, port := server(t, "tcp")
	c := start(t, "", "-c", "127.0.0.1", "-p", port, "--latency", "-t", "60", "--warmup", "0")
	time.Sleep(500 * time.Millisecond)
	_ = c.Cmd.Process.Signal(syscall.SIGINT)
	if code := c.Wait(t, 5*time.Second); code != 1 || !strings.Contains(c.Stdout.String(), "p50") {
		t.Errorf("client: exit %d, stdout %q", code, c.Stdout.String())
	}
	oneErrorLine(t, c.Stderr.String())
	_ = s.Cmd.Process.Signal(syscall.SIGINT)
	if code := s.Wait(t, 5*time.Second); code != 0 {
		t.Errorf("server: exit %d, stderr %q", code, s.Stderr.String())
	}
}
