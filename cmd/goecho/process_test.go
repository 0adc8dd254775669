package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary builds goecho once per test run.
var binary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "goecho-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "goecho")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// proc is a goecho process with its output captured.
type proc struct {
	cmd    *exec.Cmd
	stdout syncBuf
	stderr syncBuf
	done   chan struct{}
	err    error
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs goecho with args and stdin, and kills it at cleanup if it is
// still running.
func start(t *testing.T, stdin string, args ...string) *proc {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: exec.Command(bin, args...), done: make(chan struct{})}
	p.cmd.Stdin = strings.NewReader(stdin)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// wait waits for the process to exit within limit and returns its status.
func (p *proc) wait(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(limit):
		t.Fatalf("%v still running after %v\nstdout:\n%s\nstderr:\n%s", p.cmd.Args, limit, p.stdout.String(), p.stderr.String())
	}
	if ee, ok := p.err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if p.err != nil {
		t.Fatalf("%v: %v", p.cmd.Args, p.err)
	}
	return 0
}

// waitOutput waits until stdout matches re.
func (p *proc) waitOutput(t *testing.T, re string) {
	t.Helper()
	r := regexp.MustCompile(re)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if r.MatchString(p.stdout.String()) {
			return
		}
	}
	t.Fatalf("no %q in output:\n%s\nstderr:\n%s", re, p.stdout.String(), p.stderr.String())
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
	s.waitOutput(t, "^Listening on 127.0.0.1:"+port+" using "+proto+"\n")
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
			if code := c.wait(t, 10*time.Second); code != 0 {
				t.Fatalf("exit %d: %s", code, c.stderr.String())
			}
			want := "Dialing localhost:" + port + " using " + proto + "\nhello\nworld\n"
			if got := c.stdout.String(); got != want || c.stderr.String() != "" {
				t.Errorf("stdout %q, stderr %q; want %q", got, c.stderr.String(), want)
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
			if code := c.wait(t, 20*time.Second); code != 0 {
				t.Fatalf("exit %d: %s", code, c.stderr.String())
			}
			for _, name := range []string{"p50", "p90", "p99", "p99.9", "p99.99", "max", "mean", "stddev"} {
				if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(name) + ` +[\d.]+ us$`).MatchString(c.stdout.String()) {
					t.Errorf("text report lacks %s:\n%s", name, c.stdout.String())
				}
			}
			hist := filepath.Join(t.TempDir(), "hist.txt")
			j := start(t, "", append(base, "-J", "--histogram", hist)...)
			if code := j.wait(t, 20*time.Second); code != 0 {
				t.Fatalf("-J exit %d: %s", code, j.stderr.String())
			}
			var doc struct {
				Protocol string
				Echoed   uint64
				Errors   int
				RTT      map[string]float64 `json:"rtt_us"`
			}
			if err := json.Unmarshal([]byte(j.stdout.String()), &doc); err != nil {
				t.Fatalf("-J output is not JSON: %v\n%s", err, j.stdout.String())
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
		if code := c.wait(t, 10*time.Second); code != 1 {
			t.Errorf("%s: exit %d, want 1", proto, code)
		}
		oneErrorLine(t, c.stderr.String())
		if !strings.Contains(c.stderr.String(), "is a server running?") {
			t.Errorf("%s: no hint in %q", proto, c.stderr.String())
		}
	}
}

// TestSignals: SIGINT ends a server, and a client in the middle of a
// measurement, which still prints what it measured.
func TestSignals(t *testing.T) {
	s, port := server(t, "tcp")
	c := start(t, "", "-c", "127.0.0.1", "-p", port, "--latency", "-t", "60", "--warmup", "0")
	time.Sleep(500 * time.Millisecond)
	_ = c.cmd.Process.Signal(syscall.SIGINT)
	if code := c.wait(t, 5*time.Second); code != 1 || !strings.Contains(c.stdout.String(), "p50") {
		t.Errorf("client: exit %d, stdout %q", code, c.stdout.String())
	}
	oneErrorLine(t, c.stderr.String())
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	if code := s.wait(t, 5*time.Second); code != 0 {
		t.Errorf("server: exit %d, stderr %q", code, s.stderr.String())
	}
}
