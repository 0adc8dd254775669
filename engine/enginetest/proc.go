package enginetest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// BuildOnce returns a function that builds the command in dir (relative to
// the calling test's package) the first time it is called, and its path
// every time.
func BuildOnce(dir, name string) func() (string, error) {
	return sync.OnceValues(func() (string, error) {
		tmp, err := os.MkdirTemp("", name+"-bin")
		if err != nil {
			return "", err
		}
		bin := filepath.Join(tmp, name)
		if out, err := exec.Command("go", "build", "-o", bin, dir).CombinedOutput(); err != nil {
			return "", fmt.Errorf("go build %s: %v\n%s", dir, err, out)
		}
		return bin, nil
	})
}

// Proc is a running process with its output captured.
type Proc struct {
	Cmd            *exec.Cmd
	Stdout, Stderr Buffer
	done           chan struct{}
	err            error
}

// Start starts cmd with its output captured, and kills it at t's cleanup
// if it is still running.
func Start(t testing.TB, cmd *exec.Cmd) *Proc {
	t.Helper()
	p := &Proc{Cmd: cmd, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = &p.Stdout, &p.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
	})
	return p
}

// Wait waits for the process to exit within limit and returns its exit
// status; t fails if it runs on, or could not be waited for.
func (p *Proc) Wait(t testing.TB, limit time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(limit):
		t.Fatalf("%v still running after %v\nstdout:\n%s\nstderr:\n%s", p.Cmd.Args, limit, p.Stdout.String(), p.Stderr.String())
	}
	if ee, ok := p.err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if p.err != nil {
		t.Fatalf("%v: %v", p.Cmd.Args, p.err)
	}
	return 0
}

// WaitOutput waits up to 10 s for standard output to match re.
func (p *Proc) WaitOutput(t testing.TB, re string) {
	t.Helper()
	r := regexp.MustCompile(re)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if r.MatchString(p.Stdout.String()) {
			return
		}
	}
	t.Fatalf("no %q in output:\n%s\nstderr:\n%s", re, p.Stdout.String(), p.Stderr.String())
}

// OneErrorLine fails t unless stderr is one readable line "prog: error:
// ...", with no trace of a panic.
func OneErrorLine(t testing.TB, prog, stderr string) {
	t.Helper()
	if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, prog+": error: ") ||
		strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine") {
		t.Errorf("want one line '%s: error: ...', got %q", prog, stderr)
	}
}
