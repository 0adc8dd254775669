package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// vmRSS reads a process's resident memory from /proc.
func vmRSS(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	_, rest, ok := bytes.Cut(b, []byte("VmRSS:"))
	if !ok {
		t.Fatalf("no VmRSS in /proc/%d/status", pid)
	}
	line, _, _ := bytes.Cut(rest, []byte("\n"))
	kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(string(line)), "kB")), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return kb << 10
}

// TestMemoryBudget: a server with a 96 MiB budget, asked for six tests of
// 32 streams with 1 MiB buffers at once (about 32.5 MiB each), serves two
// and refuses four with iperf3's "unable to create a new test"; its
// resident memory stays within the budget over where it started (plus the
// runtime's own slack), and is back within 64 MiB of it 30 s after the
// last test ends.
func TestMemoryBudget(t *testing.T) {
	const budget, slack = 96 << 20, 32 << 20
	s, port := server(t, "--memory-budget", "96M")
	warm := start(t, nil, "-c", "127.0.0.1", "-p", port, "-t", "1")
	if code := warm.Wait(t, 20*time.Second); code != 0 {
		t.Fatalf("warm-up test: exit %d %s", code, warm.Stderr.String())
	}
	pid := s.Cmd.Process.Pid
	base := vmRSS(t, pid)
	var peak atomic.Int64
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Go(func() {
		for {
			if r := vmRSS(t, pid); r > peak.Load() {
				peak.Store(r)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
	var clients []*proc
	for range 6 {
		clients = append(clients, start(t, nil, "-c", "127.0.0.1", "-p", port, "-t", "3", "-P", "16", "--bidir", "-b", "1M", "--bitrate", "100M"))
	}
	served, refused := 0, 0
	for _, c := range clients {
		switch code := c.Wait(t, 30*time.Second); {
		case code == 0:
			served++
		case strings.Contains(c.Stderr.String(), "unable to create a new test: cannot allocate memory"):
			refused++
		default:
			t.Errorf("client exit %d: %s", code, c.Stderr.String())
		}
	}
	close(stop)
	sampler.Wait()
	t.Logf("served %d, refused %d; server RSS %d MiB at rest, at most %d MiB during", served, refused, base>>20, peak.Load()>>20)
	if served != 2 || refused != 4 {
		t.Errorf("served %d and refused %d of 6, want 2 and 4", served, refused)
	}
	if p := peak.Load(); p > base+budget+slack {
		t.Errorf("server RSS reached %d MiB, %d MiB at rest, budget %d MiB", p>>20, base>>20, budget>>20)
	}
	var after int64
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if after = vmRSS(t, pid); after <= base+64<<20 {
			break
		}
	}
	t.Logf("server RSS %d MiB after the tests", after>>20)
	if after > base+64<<20 {
		t.Errorf("server RSS %d MiB 30 s after the tests, %d MiB at rest", after>>20, base>>20)
	}
}
