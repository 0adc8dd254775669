package engine

import (
	"io"
	"net"
	"runtime"
	"testing"
	"time"
)

// stuckBound is how long a halted or woken thread loop may take to
// return: its backstop, and time for a loaded machine to schedule it.
const stuckBound = threadBackstop + 5*time.Second

// threadStream returns a stream on conn in a thread loop's socket, with
// the backstop a run gives it.
func threadStream(t *testing.T, conn net.Conn, sender bool, length int) *stream {
	return threadStreamTimeout(t, conn, sender, length, threadBackstop)
}

// threadStreamTimeout is threadStream with timeout as the backstop.
func threadStreamTimeout(t *testing.T, conn net.Conn, sender bool, length int, timeout time.Duration) *stream {
	t.Helper()
	s := newStream(1, conn, sender, length, false)
	if s.setPath(pathThread); s.path != pathThread {
		t.Skip("no thread loops on this platform")
	}
	if err := s.detach(timeout); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.conn.Close() })
	return s
}

// settled waits until the stream's byte count stops moving for 50 ms,
// which for a sender whose peer reads nothing means its socket is full.
func settled(t *testing.T, s *stream) {
	t.Helper()
	last := s.bytes.Load()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		now := s.bytes.Load()
		if now == last && now > 0 {
			return
		}
		last = now
	}
	t.Fatalf("the stream's count never settled (%d bytes)", last)
}

// TestThreadLoopStops: a thread loop sleeping in the kernel returns once
// halted (a sender whose peer reads nothing, through the socket's
// backstop) or woken (a receiver whose peer sends nothing, through
// shutdown), and a budget ends a sender by itself.
func TestThreadLoopStops(t *testing.T) {
	c, _ := tcpPair(t)
	s := threadStream(t, c, true, 128<<10)
	done := make(chan error, 1)
	go func() { done <- s.sendTCP() }()
	settled(t, s)
	s.halt.Store(true)
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("halted sender: %v", err)
		}
	case <-time.After(stuckBound):
		t.Fatalf("halted sender still running after %v", stuckBound)
	}

	c, _ = tcpPair(t)
	r := threadStream(t, c, false, 128<<10)
	go func() { done <- r.recvTCP() }()
	time.Sleep(50 * time.Millisecond) // let it sleep in read; it returns either way
	r.halt.Store(true)
	r.wakeThread(true, true)
	select {
	case <-done:
	case <-time.After(stuckBound):
		t.Fatalf("woken receiver still running after %v", stuckBound)
	}

	c, peer := tcpPair(t)
	go func() { _, _ = io.Copy(io.Discard, peer) }()
	b := threadStream(t, c, true, 64<<10)
	b.budget = newBudget(&Spec{Bytes: 1 << 20}, func() {})
	if err := b.sendTCP(); err != nil || b.bytes.Load() != 1<<20 {
		t.Errorf("budget of 1 MiB: %v after %d bytes", err, b.bytes.Load())
	}
}

// TestThreadLoopGC: thread loops sleeping in raw calls hold their Ps, and
// a collection that stops the world still completes: its preemption
// signal ends each call. The loops' backstop is longer than the bound, so
// only the signal can.
func TestThreadLoopGC(t *testing.T) {
	start := time.Now()
	runtime.GC()
	t.Logf("GC with no loop: %v", time.Since(start))
	done := make(chan error, 3)
	var procs threadProcs
	procs.add(3) // as run.prepare does: a P for each loop and for the rest
	defer procs.done(3)
	var loops []*stream
	for range 3 {
		c, _ := tcpPair(t)
		r := threadStreamTimeout(t, c, false, 128<<10, 2*stuckBound)
		loops = append(loops, r)
		go func() { done <- r.recvTCP() }()
	}
	time.Sleep(50 * time.Millisecond) // let them sleep in read
	for i := range 5 {
		gc := make(chan struct{})
		start := time.Now()
		go func() { runtime.GC(); close(gc) }()
		select {
		case <-gc:
			t.Logf("GC %d with 3 loops asleep: %v", i, time.Since(start))
		case <-time.After(stuckBound):
			t.Fatalf("GC still waiting %v for loops asleep in the kernel", stuckBound)
		}
	}
	for _, r := range loops {
		r.halt.Store(true)
		r.wakeThread(true, true)
	}
	for range loops {
		<-done
	}
}

// TestThreadsEnd: the threads and Ps a test's loops need end with the
// test, so that tests one after another leave the process the threads and
// the GOMAXPROCS it had. Each test here runs 64 loops (16 streams both
// ways, client and server in this process); without the reaper the
// runtime keeps the threads the goroutines beside them made, tens of them.
// When the last loop ends the threads are back to what they were when the
// first began; until the count is read the runtime may start one more for
// each P whose goroutine blocks in a syscall (closing, a timer), and its
// template thread, so the bound is the count before the first plus
// GOMAXPROCS plus one, however many tests run.
//
// Without the reaper about half the tests end tens of threads over; the
// others end within the slack, so the test runs enough of them that a
// missing reaper passes all with a chance of 0.5^8.
func TestThreadsEnd(t *testing.T) {
	if _, ok := threadCount(); !ok {
		t.Skip("no thread count here")
	}
	const threadEndTests = 8
	test := func(ts *testServer, mode IOMode) {
		t.Helper()
		cfg := ts.clientConfig(Spec{Streams: 16, Direction: Bidir, Duration: 200 * time.Millisecond, Latency: true}) // the probe's threads too
		cfg.IO = mode
		if _, _, err := runClient(t, cfg); err != nil {
			t.Fatal(err)
		}
		waitFor(t, func() bool { return ts.activeTests() == 0 })
	}
	// The same test through the poller first, client and server, makes
	// the threads any test needs (the poller's, the control connections')
	// and no loops.
	test(startServer(t, ServerConfig{IO: IONetConn}, JSON), IONetConn)
	ts := startServer(t, ServerConfig{IO: IOThread}, JSON)
	maxprocs := runtime.GOMAXPROCS(0)
	slack := maxprocs + 1
	first, _ := threadCount()
	for i := range threadEndTests {
		test(ts, IOThread)
		after, _ := threadCount()
		t.Logf("test %d (64 loops): %d threads before the first, %d after", i+1, first, after)
		if after > first+slack {
			t.Errorf("test %d: %d threads before the first, %d after (at most %d more)", i+1, first, after, slack)
		}
		if p := runtime.GOMAXPROCS(0); p != maxprocs {
			t.Errorf("test %d: GOMAXPROCS %d after, %d before", i+1, p, maxprocs)
		}
		procs.mu.Lock()
		if n := procs.streams; n != 0 {
			t.Errorf("test %d: %d thread loops counted after it ended, want 0", i+1, n)
		}
		procs.mu.Unlock()
	}
}
