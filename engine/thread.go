package engine

import (
	"errors"
	"runtime"
	"syscall"
	"time"

	"github.com/goperf/goperf/sockopt"
)

// A thread loop runs a stream as iperf3 3.16 and later run theirs: the
// socket blocking and out of Go's network poller (see detach), one system
// call per block that sleeps in the kernel when it must wait, so each
// stream keeps an OS thread to itself for the test. The calls are raw
// (sockopt.SendBlocking): they hold the stream's P while they sleep, so
// the runtime hands nothing between threads, and ensureProcs gives every
// stream a P of its own and the test's other goroutines theirs.
//
// A raw call that may sleep is safe here because it is bounded: every
// socket of a thread loop has a send and receive timeout (threadBackstop),
// and a signal ends a socket call that has one with EINTR instead of
// restarting it, so the runtime's preemption signal (which a collection
// that stops the world sends to every running thread) returns the call at
// once, and the loop's next function call gives the P up.
//
// Measured on the 2-core machine over loopback against iperf3 3.21, 128
// KiB, alternating, medians (receiver Gbit/s ratio to iperf3): with the
// socket still in the poller, every arrival of data woke the poller's
// thread, 0.74x as a server; detached, 0.91x. Calls through the runtime's
// system call entry (syscall.Syscall), which lets the P go while a call
// sleeps: -P 8 0.78x, raw 0.93x.
//
// While a test's streams leave a core free (leaveCoreFree), each loop's
// goroutine is locked to its thread. Unlocked, one stream's goroutine
// moved between two or three threads (-P 1, 128 KiB, goperf to goperf:
// the client's stream ran 48% on one thread and 37% on another, the
// server's on three), the thread left behind going to sleep each time,
// and the client used 81-93% of a core against 97-98% locked; locked won
// 8 of 10 alternating rounds (medians 36.1 against 34.3 Gbit/s; -R even).
// With more streams than cores, locking loses: the runtime preempts a
// goroutine that has not been rescheduled for 10 ms, and a locked one
// then hands its P to another thread and back (-P 4 52.7 against 60.8
// Gbit/s, 5 rounds). Either way a loop yields every threadYield, so that
// no preemption is needed.
//
// A receiver that keeps its thread also polls its empty socket, for up
// to its spin (DefaultRecvSpin), before the call that sleeps: a sleeping
// receiver makes the sender pay to wake it, on loopback in the sender's
// own delivery of the data, with a cross-core interrupt that a VM makes
// dear. Alternating, 2 cores, receiver Gbit/s polling against sleeping:
// 128 KiB 43-72 against 38-41 (iperf3 3.21 30-41), 1 MiB 57-86 against
// 34-35, -R 66-69 against 37-40, --skip-rx-copy 58-75 against 40-48, UDP
// 1400 B 105-109 against 70-93. A poll that finds nothing makes the next
// ones wait (sockopt.Spinner), so a slow path does not pay for polling. The
// time polled is counted (polledTime) and reported apart from the CPU the
// receiver needed.
//
// Go's deadlines do not reach a call sleeping in the kernel, so the test
// stops a thread loop in two ways, both bounded:
//
//   - halt: the loop checks the stream's halt flag before every call (one
//     load of a word only the test writes, once), and a call that sleeps
//     returns EAGAIN after threadBackstop, so a halted loop returns within
//     one block's time, or the backstop when the peer has stopped reading.
//   - shutdown: closing the stream (run.close) and stopping a UDP receiver
//     shut the socket down first, which wakes a sleeping call at once: a
//     read returns 0, a write EPIPE.
//
// The loop runs inside one RawConn.Control callback, which holds a
// reference on the descriptor, so it cannot be closed and reused under the
// loop.
//
// The runtime keeps every thread it makes, idle, for the life of the
// process, and a test in thread loops makes one per stream. Each loop's
// goroutine therefore ends locked to its thread, which makes the runtime
// end that thread (run.loop), so a long-running server holds about the
// threads of the tests it is running, not of the most it ever ran.

// threadBackstop bounds how long a call of a thread loop may sleep.
const threadBackstop = 100 * time.Millisecond

// A thread loop yields every threadYield, well inside the runtime's 10 ms,
// and reads the clock every threadCheck bytes to know when.
const (
	threadYield = 5 * time.Millisecond
	threadCheck = 256 << 10
)

// yielder tells a thread loop when to yield; see threadYield.
type yielder struct {
	every, left int // calls between clock readings
	last        time.Time
}

func newYielder(block int) yielder {
	every := max(1, threadCheck/max(block, 1))
	return yielder{every: every, left: every, last: time.Now()}
}

// tick counts one call and yields the P when threadYield has passed.
func (y *yielder) tick() {
	if y.left--; y.left > 0 {
		return
	}
	y.left = y.every
	yieldAfter(threadYield, time.Now(), &y.last)
}

// A loop that sleeps long in its calls (a paced sender between sends, the
// latency probe between round trips) passes through the scheduler once
// passAfter has gone by, which it checks on the clock it reads anyway,
// and sleeps at most threadYield in one call, so that the gaps stay well
// inside the 10 ms after which the runtime takes a goroutine's P back.
// Each time it does, the runtime's monitor wakes every 20 µs for a while:
// a probe that slept 10 ms at a time, and beside it a UDP sender at 1
// Mbit/s whose 10 ms sleeps went 2 s between yields, kept that thread
// waking about 3,000 times a second.
const passAfter = threadYield / 2

// pass yields the P when passAfter has gone by since *last, and reports
// whether it did.
func pass(now time.Time, last *time.Time) bool { return yieldAfter(passAfter, now, last) }

// yieldAfter yields the P when d has gone by since *last, and reports
// whether it did: the one step of a thread loop's yielder and of pass.
func yieldAfter(d time.Duration, now time.Time, last *time.Time) bool {
	if now.Sub(*last) < d {
		return false
	}
	*last = now
	runtime.Gosched()
	return true
}

// leaveCoreFree reports whether n streams leave a core free for the rest:
// their loops then keep a thread each (see above), and TCP receivers fill
// their blocks (recvblock.go).
func leaveCoreFree(n int) bool { return n < runtime.NumCPU() }

// onThread runs step on the stream's blocking socket until step ends the
// loop or the stream is halted.
func (s *stream) onThread(step func(fd int) rawStep) error {
	var err error
	if cerr := s.rc.Control(func(fd uintptr) { err = s.threadLoop(int(fd), step) }); cerr != nil {
		return cerr
	}
	return err
}

// threadLoop runs step on fd until it ends the loop or the stream is
// halted.
func (s *stream) threadLoop(fd int, step func(fd int) rawStep) error {
	y := newYielder(len(s.buf))
	for !s.halt.Load() {
		if step(fd) == stepDone {
			break
		}
		y.tick()
	}
	if errors.Is(s.exit, errSpent) {
		return nil
	}
	return s.exit
}

// threadSendStep writes one block with a blocking call. A write the
// backstop ended with nothing sent returns stepWait, and the loop checks
// halt.
func (s *stream) threadSendStep(fd int) rawStep { return s.sysSendStep(fd, s.send) }

// threadRecvStep reads once with a blocking call.
func (s *stream) threadRecvStep(fd int) rawStep { return s.sysRecvStep(fd, s.recv) }

// wakeThread shuts down the sides of the stream's socket that a thread
// loop may be sleeping on, so that it sees halt at once. The halt flag
// must be set first.
func (s *stream) wakeThread(read, write bool) {
	if sc, ok := s.conn.(syscall.Conn); ok && s.path == pathThread {
		_ = sockopt.Shutdown(sc, read, write) // a socket already gone has nobody sleeping on it
	}
}

// recvAwake makes a TCP receiver that keeps a thread to itself poll its
// empty socket for up to its spin before it sleeps (sockopt.RecvAwake).
func (s *stream) recvAwake() {
	if s.spin.For > 0 && s.udp == nil {
		s.recv = s.readAwake
	}
}

// readAwake is the read of recvAwake.
func (s *stream) readAwake(fd int, p []byte) (int, syscall.Errno) {
	n, polled, errno := sockopt.RecvAwake(fd, p, s.skipRx, &s.spin)
	if polled > 0 {
		s.polled.Add(int64(polled))
	}
	return n, errno
}

// polledTime is the time the stream's receives spent polling an empty
// socket.
func (s *stream) polledTime() time.Duration {
	if s.udp != nil && s.udp.io != nil {
		return s.udp.io.Polled()
	}
	return time.Duration(s.polled.Load())
}
