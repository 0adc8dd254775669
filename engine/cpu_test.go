package engine

import (
	"runtime"
	"testing"
)

// A thread that records its wait and ends still counts in the run's CPU
// reading: its entry is there though /proc/self/task no longer lists it.
func TestGoneWaitsKeepEndedThreads(t *testing.T) {
	if _, _, ok := ownWait(); !ok {
		t.Skip("no schedstat here")
	}
	var g goneWaits
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		g.record()
	}()
	<-done
	if len(g.waits) != 1 {
		t.Fatalf("recorded %d threads, want 1", len(g.waits))
	}
	c := readCPU()
	g.into(&c)
	for tid, w := range g.waits { // the thread's own entry, if it has not ended yet, is no less
		if got, ok := c.waits[tid]; !ok || got < w {
			t.Errorf("thread %d: reading has %v (%v), recorded %v", tid, got, ok, w)
		}
	}
}
