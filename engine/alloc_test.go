package engine

import (
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/goperf/goperf/sockopt"
)

// tcpPair returns a connected loopback pair.
func tcpPair(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); s.Close() })
	return c, s
}

// sendingStream returns a sender whose peer discards everything, paced or
// not, with a budget that never runs out.
func sendingStream(t *testing.T, paced bool) *stream {
	t.Helper()
	c, peer := tcpPair(t)
	go func() { _, _ = io.Copy(io.Discard, peer) }()
	st := newStream(1, c, true, 8<<10, false)
	st.epoch = time.Now()
	st.budget = newBudget(&Spec{Bytes: 1 << 40}, func() {})
	if paced {
		st.pacer = newPacer(100e9, len(st.buf), 0, 0) // fast enough never to wait long
		st.timer = time.NewTimer(time.Hour)
		st.timer.Stop()
	}
	return st
}

// receivingStream returns a receiver whose peer writes without pause.
func receivingStream(t *testing.T) *stream {
	t.Helper()
	c, peer := tcpPair(t)
	go func() {
		buf := make([]byte, 64<<10)
		for {
			if _, err := peer.Write(buf); err != nil {
				return
			}
		}
	}()
	st := newStream(1, c, false, 8<<10, false)
	st.budget = newBudget(&Spec{Bytes: 1 << 40}, func() {})
	return st
}

// rawFD puts a stream on path (raw or thread) and returns the descriptor
// under it, to drive its steps directly.
func rawFD(t *testing.T, s *stream, path ioPath) int {
	t.Helper()
	if s.setPath(path); s.path != path {
		t.Skipf("no %v I/O on this platform", path)
	}
	if path == pathThread {
		if err := s.detach(threadBackstop); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.conn.Close() })
	}
	fd := -1
	_ = s.rc.Control(func(f uintptr) { fd = int(f) })
	return fd
}

// sysPaths are the paths whose steps are driven on a descriptor, each
// with its send and receive step.
var sysPaths = []struct {
	path       ioPath
	send, recv func(*stream, int) rawStep
}{
	{pathRaw, (*stream).rawSendStep, (*stream).rawRecvStep},
	{pathThread, (*stream).threadSendStep, (*stream).threadRecvStep},
}

// TestSendAllocs asserts that one send step allocates nothing, through
// net.Conn, raw I/O and a thread loop's blocking call, unpaced and paced,
// with a budget.
func TestSendAllocs(t *testing.T) {
	for _, paced := range []bool{false, true} {
		st := sendingStream(t, paced)
		if n := testing.AllocsPerRun(1000, func() {
			if _, err := st.sendStep(); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("net.Conn, paced=%v: %v allocations per send", paced, n)
		}
		for _, sp := range sysPaths {
			st = sendingStream(t, paced)
			fd := rawFD(t, st, sp.path)
			if n := testing.AllocsPerRun(1000, func() {
				if sp.send(st, fd) == stepDone {
					t.Fatal(st.exit)
				}
			}); n != 0 {
				t.Errorf("%v, paced=%v: %v allocations per send", sp.path, paced, n)
			}
		}
	}
}

// TestRecvAllocs asserts that one receive step allocates nothing.
func TestRecvAllocs(t *testing.T) {
	st := receivingStream(t)
	if n := testing.AllocsPerRun(1000, func() {
		if err := st.recvStep(); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("net.Conn: %v allocations per receive", n)
	}
	for _, sp := range sysPaths {
		st = receivingStream(t)
		fd := rawFD(t, st, sp.path)
		if n := testing.AllocsPerRun(1000, func() {
			if sp.recv(st, fd) == stepDone {
				t.Fatal(st.exit)
			}
		}); n != 0 {
			t.Errorf("%v: %v allocations per receive", sp.path, n)
		}
	}
	for _, discard := range []bool{false, true} { // a thread loop that polls (recvAwake)
		st = receivingStream(t)
		fd := rawFD(t, st, pathThread)
		st.spin.For, st.skipRx = DefaultRecvSpin, discard
		st.recvAwake()
		if n := testing.AllocsPerRun(1000, func() {
			if st.threadRecvStep(fd) == stepDone {
				t.Fatal(st.exit)
			}
		}); n != 0 {
			t.Errorf("thread, polling, discard %v: %v allocations per receive", discard, n)
		}
	}
}

// TestRawLoopStops checks that a past write deadline ends a raw sender
// blocked on a full socket (its peer reads nothing), and that a budget
// ends one that is not.
func TestRawLoopStops(t *testing.T) {
	c, _ := tcpPair(t)
	st := newStream(1, c, true, 128<<10, false)
	if st.setPath(pathRaw); st.path != pathRaw {
		t.Skip("no raw I/O on this platform")
	}
	done := make(chan error, 1)
	go func() { done <- st.sendTCP() }()
	time.Sleep(100 * time.Millisecond) // fills the socket buffers
	_ = c.SetWriteDeadline(time.Unix(1, 0))
	select {
	case err := <-done:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("stopped sender returned %v", err)
		}
	case <-time.After(time.Second):
		t.Fatal("sender still running 1 s after its deadline passed")
	}
	st = sendingStream(t, false)
	st.setPath(pathRaw)
	st.budget = newBudget(&Spec{Bytes: 1 << 20}, func() {})
	if err := st.sendTCP(); err != nil || st.bytes.Load() != 1<<20 {
		t.Errorf("budget of 1 MiB: %v after %d bytes", err, st.bytes.Load())
	}
}

// TestRawCallbackAllocs asserts that a whole raw callback, up to a burst
// of steps, allocates nothing.
func TestRawCallbackAllocs(t *testing.T) {
	st := sendingStream(t, false)
	if st.setPath(pathRaw); st.path != pathRaw {
		t.Skip("no raw I/O on this platform")
	}
	if n := testing.AllocsPerRun(100, func() { _ = st.rc.Write(st.writeFn) }); n != 0 {
		t.Errorf("%v allocations per write callback", n)
	}
	st = receivingStream(t)
	st.setPath(pathRaw)
	if n := testing.AllocsPerRun(100, func() { _ = st.rc.Read(st.readFn) }); n != 0 {
		t.Errorf("%v allocations per read callback", n)
	}
}

// TestFastPathAllocs asserts that a zero-copy send step (MSG_ZEROCOPY and
// sendfile) and a receive step that skips the copy allocate nothing, on
// each path that has them.
func TestFastPathAllocs(t *testing.T) {
	for _, sp := range sysPaths {
		for _, mode := range []sockopt.ZeroCopyMode{sockopt.ZeroCopyMsg, sockopt.ZeroCopySendfile} {
			st := sendingStream(t, false)
			fd := rawFD(t, st, sp.path)
			if err := st.setFast(&Spec{ZeroCopy: true, ZeroCopyMode: mode}, -1); err != nil {
				t.Fatalf("%v %v: %v", sp.path, mode, err)
			}
			t.Cleanup(st.closeFast)
			if n := testing.AllocsPerRun(1000, func() {
				if sp.send(st, fd) == stepDone {
					t.Fatal(st.exit)
				}
			}); n != 0 {
				t.Errorf("%v, zero copy %v: %v allocations per send", sp.path, mode, n)
			}
			if st.finishZeroCopy(nil); st.zcStats.Sends == 0 || st.zcStats.Pending != 0 {
				t.Errorf("%v, zero copy %v: %+v after the sends", sp.path, mode, st.zcStats)
			}
		}
		st := receivingStream(t)
		fd := rawFD(t, st, sp.path)
		if err := st.setFast(&Spec{SkipRxCopy: true}, -1); err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(1000, func() {
			if sp.recv(st, fd) == stepDone {
				t.Fatal(st.exit)
			}
		}); n != 0 {
			t.Errorf("%v, skip rx copy: %v allocations per receive", sp.path, n)
		}
	}
}
