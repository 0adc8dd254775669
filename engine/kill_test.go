package engine

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// The kill tests run one end of a test in a child process, the test binary
// itself started again with childEnv set, and kill it with SIGKILL mid-test;
// the other end runs here, where its goroutines and heap can be checked.
const childEnv = "GOPERF_TEST_CHILD"

// childSpec is what a child is told to be, as JSON in childEnv.
type childSpec struct {
	Role string // "client" or "server"
	Port int    // client: the server's port
	Spec Spec   // client: the test
}

// runChild is the child's whole life, called from TestMain. A client runs
// its test; a server prints its port and serves until killed. It returns
// the exit status.
func runChild(env string) int {
	var cs childSpec
	if err := json.Unmarshal([]byte(env), &cs); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	ctx := context.Background()
	switch cs.Role {
	case "client":
		_, err := RunClient(ctx, ClientConfig{Spec: cs.Spec, Host: "127.0.0.1", Port: cs.Port, Interval: 100 * time.Millisecond, IO: testIO},
			Output{W: os.Stdout, Format: Text})
		if err != nil {
			fmt.Fprintln(os.Stderr, "child client:", err)
			return 1
		}
		return 0
	case "server":
		srv := NewServer(ServerConfig{Bind: "127.0.0.1", Interval: 100 * time.Millisecond, IO: testIO}, Output{W: os.Stdout, Format: Text})
		if err := srv.Listen(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "child server:", err)
			return 1
		}
		fmt.Printf("port %d\n", srv.Addr().(*net.TCPAddr).Port)
		if err := srv.Serve(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "child server:", err)
			return 1
		}
		return 0
	}
	return 2
}

// child is a running child process and its standard output, line by line.
type child struct {
	cmd   *exec.Cmd
	lines chan string
}

// startChild starts the test binary as cs and kills it at cleanup.
func startChild(t *testing.T, cs childSpec) *child {
	t.Helper()
	env, _ := json.Marshal(cs)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(env))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, lines: make(chan string, 1024)}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case c.lines <- sc.Text():
			default: // nobody is listening any more
			}
		}
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return c
}

// await returns the first line that has prefix, within 10 s.
func (c *child) await(t *testing.T, prefix string) string {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				t.Fatalf("child ended before printing %q", prefix)
			}
			if strings.HasPrefix(strings.TrimSpace(l), prefix) {
				return l
			}
		case <-timeout:
			t.Fatalf("child printed no %q within 10 s", prefix)
		}
	}
}

// killModes are the tests the kill tests interrupt: TCP and UDP, forward
// and reverse.
var killModes = []Spec{
	{Direction: Forward, Length: DefaultTCPLength},
	{Direction: Reverse, Length: DefaultTCPLength},
	{Proto: UDP, Direction: Forward, Length: 1400, Bitrate: 200e6},
	{Proto: UDP, Direction: Reverse, Length: 1400, Bitrate: 200e6},
}

func modeName(sp Spec) string { return fmt.Sprintf("%v/%v", sp.Proto, sp.Direction) }

// TestClientKilledMidTest kills a client process mid-test: the server logs
// one line for the test, ends it promptly, serves the next client, and its
// goroutines and heap return to where they were.
func TestClientKilledMidTest(t *testing.T) {
	ts := startServer(t, ServerConfig{}, JSON)
	base := atRest(t, ts)
	for _, sp := range killModes {
		t.Run(modeName(sp), func(t *testing.T) {
			logged := strings.Count(ts.errs.String(), "\n")
			sp.Streams, sp.Duration = 2, 20*time.Second
			c := startChild(t, childSpec{Role: "client", Port: ts.port, Spec: sp})
			c.await(t, "[SUM]") // an interval with data: the test runs
			_ = c.cmd.Process.Kill()
			_ = c.cmd.Wait()
			start := time.Now()
			waitFor(t, func() bool { return ts.activeTests() == 0 })
			t.Logf("the server ended the test %v after the kill: %s", time.Since(start).Round(time.Millisecond),
				strings.TrimSpace(ts.errs.String()[strings.LastIndex(strings.TrimSpace(ts.errs.String()), "\n")+1:]))
			if n := strings.Count(ts.errs.String(), "\n") - logged; n != 1 {
				t.Errorf("the server logged %d lines for the killed client:\n%s", n, ts.errs.String())
			}
			base.check(t, ts)
		})
	}
}

// TestServerKilledMidTest kills a server process mid-test: the client here
// returns an error well within its timeouts, and leaves no goroutine.
func TestServerKilledMidTest(t *testing.T) {
	for _, sp := range killModes {
		t.Run(modeName(sp), func(t *testing.T) {
			base := goleak.IgnoreCurrent()
			s := startChild(t, childSpec{Role: "server"})
			port, err := strconv.Atoi(strings.TrimPrefix(s.await(t, "port "), "port "))
			if err != nil {
				t.Fatal(err)
			}
			sp.Streams, sp.Duration = 2, 20*time.Second
			cfg := ClientConfig{Spec: sp, Host: "127.0.0.1", Port: port, IO: testIO}
			errc := make(chan error, 1)
			go func() {
				_, err := RunClient(context.Background(), cfg, Output{W: &syncBuffer{}, Format: Text})
				errc <- err
			}()
			s.await(t, "[SUM]")
			_ = s.cmd.Process.Kill()
			start := time.Now()
			select {
			case err := <-errc:
				if err == nil || strings.Contains(err.Error(), "\n") {
					t.Errorf("client after the server died: %q", err)
				}
				t.Logf("client: %v, %v after the kill", err, time.Since(start).Round(time.Millisecond))
			case <-time.After(ctrlTimeout + 5*time.Second):
				t.Fatalf("client still running %v after the server died", ctrlTimeout+5*time.Second)
			}
			if err := goleak.Find(base); err != nil {
				t.Errorf("client goroutines left: %v", err)
			}
		})
	}
}

// TestStoppedClient stops a client process with SIGSTOP mid-test: a peer
// that vanished without a word, whose kernel keeps its sockets open. The
// server ends the test by its idle timeout and comes back to rest. (A
// stopped UDP receiver is left out: the server's datagrams still leave, so
// only the test's length and the grace for TEST_END bound it.)
func TestStoppedClient(t *testing.T) {
	const idle = time.Second
	ts := startServer(t, ServerConfig{IdleTimeout: idle}, JSON)
	base := atRest(t, ts)
	for _, sp := range killModes[:3] {
		t.Run(modeName(sp), func(t *testing.T) {
			sp.Streams, sp.Duration = 2, 20*time.Second
			c := startChild(t, childSpec{Role: "client", Port: ts.port, Spec: sp})
			c.await(t, "[SUM]")
			if err := c.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			waitFor(t, func() bool { return ts.activeTests() == 0 })
			if d := time.Since(start); d > idle+3*time.Second {
				t.Errorf("the server ended the test %v after the client stopped; idle timeout %v", d, idle)
			}
			if !strings.Contains(ts.errs.String(), "idle: no data moved") {
				t.Errorf("server log:\n%s", ts.errs.String())
			}
			_ = c.cmd.Process.Signal(syscall.SIGCONT)
			base.check(t, ts)
		})
	}
}
