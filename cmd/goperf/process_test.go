package main

import (
	"bytes"
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

// binary builds goperf once per test run.
var binary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "goperf-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "goperf")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// proc is a goperf process with its output captured.
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

// start runs goperf with args (through prefix, e.g. ip netns exec) and
// kills it at cleanup if it is still running.
func start(t *testing.T, prefix []string, args ...string) *proc {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	argv := append(append(prefix, bin), args...)
	p := &proc{cmd: exec.Command(argv[0], argv[1:]...), done: make(chan struct{})}
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
	if p.err == nil {
		return 0
	}
	if ee, ok := p.err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	t.Fatalf("%v: %v", p.cmd.Args, p.err)
	return -1
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

// server starts a goperf server on a free loopback port.
func server(t *testing.T, extra ...string) (*proc, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	s := start(t, nil, append([]string{"-s", "-a", "127.0.0.1", "-p", port}, extra...)...)
	s.waitOutput(t, "Listening on 127.0.0.1:"+port+" using TCP")
	return s, port
}

// oneErrorLine checks that stderr is one readable error line.
func oneErrorLine(t *testing.T, stderr string) {
	t.Helper()
	if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "goperf: error: ") ||
		strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine") {
		t.Errorf("want one line 'goperf: error: ...', got %q", stderr)
	}
}

// TestAcceptanceCommand runs `goperf -s` and `goperf -c -P 4 -b 131072` as
// a user would.
func TestAcceptanceCommand(t *testing.T) {
	s, port := server(t, "-1")
	c := start(t, nil, "-c", "-P", "4", "-b", "131072", "-t", "2", "-p", port)
	if code := c.wait(t, 30*time.Second); code != 0 {
		t.Fatalf("client exit %d\n%s\n%s", code, c.stdout.String(), c.stderr.String())
	}
	if code := s.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("server exit %d\n%s", code, s.stderr.String())
	}
	out := c.stdout.String()
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
	if !regexp.MustCompile(`(?m)^Received \d+ KB in 2\.\d\d seconds \(rate=[\d.]+ Mbps\) from 127\.0\.0\.1:\d+$`).MatchString(s.stdout.String()) {
		t.Errorf("server output lacks the Received line:\n%s", s.stdout.String())
	}
}

// TestServerKilledMidTest: the client ends with one line and a non-zero
// status, promptly.
func TestServerKilledMidTest(t *testing.T) {
	for _, dir := range [][]string{nil, {"-R"}} {
		t.Run(fmt.Sprint(dir), func(t *testing.T) {
			s, port := server(t)
			c := start(t, nil, append([]string{"-c", "127.0.0.1", "-p", port, "-t", "20"}, dir...)...)
			c.waitOutput(t, `0\.00-1\.\d\d`)
			_ = s.cmd.Process.Kill()
			if code := c.wait(t, 10*time.Second); code == 0 {
				t.Error("client exit 0 after the server died")
			}
			oneErrorLine(t, c.stderr.String())
			t.Logf("client: %s", c.stderr.String())
		})
	}
}

// TestClientKilledMidTest: the server logs one line and serves the next
// client.
func TestClientKilledMidTest(t *testing.T) {
	s, port := server(t)
	for _, dir := range [][]string{nil, {"-R"}, {"--bidir"}} {
		c := start(t, nil, append([]string{"-c", "127.0.0.1", "-p", port, "-t", "20"}, dir...)...)
		c.waitOutput(t, `0\.00-1\.\d\d`)
		_ = c.cmd.Process.Kill()
		c.wait(t, 5*time.Second)
		next := start(t, nil, "-c", "127.0.0.1", "-p", port, "-t", "1")
		if code := next.wait(t, 30*time.Second); code != 0 {
			t.Fatalf("%v: next client exit %d: %s\nserver log:\n%s", dir, code, next.stderr.String(), s.stderr.String())
		}
	}
	if n := strings.Count(s.stderr.String(), "\n"); n < 3 {
		t.Errorf("server logged %d lines for 3 vanished clients:\n%s", n, s.stderr.String())
	}
	t.Logf("server log:\n%s", s.stderr.String())
}

// TestInterruptedClient: SIGINT prints what was measured, tells the server,
// and exits non-zero; the server serves on.
func TestInterruptedClient(t *testing.T) {
	s, port := server(t)
	c := start(t, nil, "-c", "127.0.0.1", "-p", port, "-t", "20")
	c.waitOutput(t, `0\.00-1\.\d\d`)
	_ = c.cmd.Process.Signal(syscall.SIGINT)
	if code := c.wait(t, 5*time.Second); code == 0 {
		t.Error("interrupted client exit 0")
	}
	oneErrorLine(t, c.stderr.String())
	if !strings.Contains(c.stdout.String(), "sender") {
		t.Errorf("no partial summary:\n%s", c.stdout.String())
	}
	next := start(t, nil, "-c", "127.0.0.1", "-p", port, "-t", "1")
	if code := next.wait(t, 30*time.Second); code != 0 {
		t.Fatalf("next client exit %d: %s\nserver log:\n%s", code, next.stderr.String(), s.stderr.String())
	}
}

// TestUnreachableAndRefused: one line, non-zero, no wait. The unreachable
// host is tried from a network namespace the test makes, which has only
// loopback, so nothing leaves the machine.
func TestUnreachableAndRefused(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	c := start(t, nil, "-c", "127.0.0.1", "-p", port)
	if code := c.wait(t, 5*time.Second); code == 0 {
		t.Error("exit 0 with no server")
	}
	oneErrorLine(t, c.stderr.String())
	if !strings.Contains(c.stderr.String(), "connection refused (is a server running? start one with goperf -s)") {
		t.Errorf("refused: %q", c.stderr.String())
	}

	ns := netns(t)
	c = start(t, []string{"ip", "netns", "exec", ns}, "-c", "192.0.2.1")
	if code := c.wait(t, 5*time.Second); code == 0 {
		t.Error("exit 0 for an unreachable host")
	}
	oneErrorLine(t, c.stderr.String())
	if !strings.Contains(c.stderr.String(), "network is unreachable") {
		t.Errorf("unreachable: %q", c.stderr.String())
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
	if os.Geteuid() != 0 {
		t.Skip("network namespaces need root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("ip (iproute2) not installed")
	}
	name := fmt.Sprintf("%s-%d", prefix, os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		t.Skipf("ip netns add: %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", name).Run() })
	if out, err := exec.Command("ip", "-n", name, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("lo up: %v %s", err, out)
	}
	return name
}

// TestServerSignalled: SIGINT or SIGTERM on a server mid-test tells the
// client, which says so in one line and exits non-zero; the server exits 0.
func TestServerSignalled(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			s, port := server(t)
			c := start(t, nil, "-c", "127.0.0.1", "-p", port, "-t", "20", "-u", "--bitrate", "100M")
			c.waitOutput(t, `0\.00-1\.\d\d`)
			_ = s.cmd.Process.Signal(sig)
			if code := s.wait(t, 5*time.Second); code != 0 {
				t.Errorf("server exit %d after %v: %s", code, sig, s.stderr.String())
			}
			if code := c.wait(t, 5*time.Second); code == 0 {
				t.Error("client exit 0 after the server was stopped")
			}
			oneErrorLine(t, c.stderr.String())
			if !strings.Contains(c.stderr.String(), "the server has terminated the test") {
				t.Errorf("client: %q", c.stderr.String())
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
		if code := c.wait(t, 10*time.Second); code == 0 {
			t.Errorf("%v: exit 0", tt.args)
		}
		oneErrorLine(t, c.stderr.String())
		if !strings.Contains(c.stderr.String(), tt.want) {
			t.Errorf("%v: %q, want %q", tt.args, c.stderr.String(), tt.want)
		}
	}
	long := start(t, nil, "-c", "127.0.0.1", "-p", port, "-t", "2", "--bitrate", "10M")
	long.waitOutput(t, `0\.00-1\.\d\d`)
	busy := start(t, nil, "-c", "127.0.0.1", "-p", port, "-t", "1")
	if code := busy.wait(t, 2*time.Second); code == 0 || !strings.Contains(busy.stderr.String(), "the server is busy") {
		t.Errorf("a second client beside --max-clients 1: exit %d, %q", code, busy.stderr.String())
	}
	if code := long.wait(t, 10*time.Second); code != 0 {
		t.Errorf("the running test: exit %d, %s", code, long.stderr.String())
	}
	if n := strings.Count(s.stderr.String(), "\n"); n != 4 {
		t.Errorf("server logged %d lines for 4 refusals:\n%s", n, s.stderr.String())
	}
}
