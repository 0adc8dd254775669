package engine

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/goperf/goperf/sockopt"
)

// How the latency probe's two ends call the kernel. Each end runs one
// goroutine, locked to a thread of its own, which waits for the next echo
// (or message) until the next message is due and reads the clock as it
// wakes.
//
// Where the platform has blocking I/O, the probe's socket leaves Go's
// network poller as a stream's does (detach.go), and the wait is a ppoll
// on the thread with a 1 ns timer slack, some microseconds late. A round
// trip is timed from when its message was due, so the probe's own
// lateness counts as the path's: waiting for the due time on a Go timer,
// which fires up to a millisecond late on Linux, put a loaded p50 on an
// idle loopback at 650 µs against an idle 80 µs (now 100 against 90).
// The probe counts itself with the streams' thread loops (procs), which
// keeps a P idle for the runtime while it sleeps. Elsewhere, and with --io
// netconn, the probe waits through net.Conn and its deadlines, and its
// report says so (polledNote).
//
// What it costs, measured on the 2-core VM (alternating rounds, the
// median of each round's ratio, BenchmarkLatencyProbeCost, 100 round
// trips a second): before its waits were cut at threadYield (see
// threadProbe), 0.93 of 128 KiB -P 1, 0.87 of -P 4 and 0.91 of unlimited
// 1400-byte UDP; after, 1.00, 0.99 and 0.98. What is left is the probe's
// own few hundred wake-ups a second on cores the streams fill. A wait
// held in a raw call, which the runtime does not see, starved the
// poller's goroutines of the same process (a server's echo through the
// poller answered a period late), so the wait is a call the runtime sees.

// probeIO is one end's side of the probe's connection.
type probeIO interface {
	// await reads what has arrived into p, waiting for it until until
	// (zero: as long as it takes). n is 0 with a nil error when until
	// passes first; io.EOF or another error ends the probe.
	await(p []byte, until time.Time) (n int, err error)
	// write writes all of p.
	write(p []byte) error
	// shut wakes await and write, which then fail; it may be called
	// from another goroutine.
	shut()
	// close releases the connection, after the goroutine using it ended.
	close()
	// pass lets the runtime see the goroutine go through its scheduler, at
	// a moment when a short delay costs the measurement nothing (after an
	// echo was timed or written); see threadProbe.
	pass()
}

// newProbeIO takes conn over for a probe's end: a blocking duplicate
// where the platform has one and mode lets the streams run on threads of
// their own, else conn itself. A thread counts itself in procs as a
// stream's thread loop does, until close.
func newProbeIO(conn net.Conn, mode IOMode, procs *threadProcs) probeIO {
	sc, ok := conn.(syscall.Conn)
	if !ok || !sockopt.BlockingIO || mode != IOAuto && mode != IOThread || !procs.fits(1) {
		return connProbe{conn}
	}
	f, err := sockopt.DupBlocking(sc, threadBackstop)
	if err != nil {
		return connProbe{conn}
	}
	_ = conn.Close() // the duplicate holds the socket
	procs.add(1)
	return &threadProbe{f: f, fd: int(f.Fd()), procs: procs}
}

// threadProbe is a probe's socket out of the poller: a blocking
// duplicate, with the send and receive timeout threadBackstop.
//
// Its goroutine keeps a P while it waits, in a call the runtime sees, so
// a wait sleeps at most threadYield and passes through the scheduler
// between two, as do the probe's loops after each echo (pass, thread.go).
// Waiting a whole period at a time, 10 ms at 100 round trips a second, it
// had the runtime take its P back every period: the runtime's monitor
// thread woke about 3,400 times a second in each process, the streams'
// threads were switched out 8 times as often, and the probe cost 7-13% of
// the throughput it rode on.
type threadProbe struct {
	f      *os.File
	fd     int
	procs  *threadProcs
	passed time.Time // when the goroutine last passed through the scheduler
}

func (t *threadProbe) await(p []byte, until time.Time) (int, error) {
	for {
		wait, last := threadYield, false
		if !until.IsZero() {
			left := time.Until(until)
			if left <= 0 {
				return 0, nil
			}
			if left <= wait {
				wait, last = left, true
			}
		}
		ready, errno := sockopt.WaitReadable(t.fd, wait)
		if errno != 0 {
			return 0, os.NewSyscallError("ppoll", errno)
		}
		if ready {
			break
		}
		if last {
			return 0, nil
		}
		t.pass()
	}
	n, errno := sockopt.RecvBlocking(t.fd, p)
	switch {
	case errno == syscall.EAGAIN:
		return 0, nil // readable, then not: the backstop passed
	case errno != 0:
		return 0, os.NewSyscallError("read", errno)
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

func (t *threadProbe) write(p []byte) error {
	for len(p) > 0 {
		n, errno := sockopt.SendBlocking(t.fd, p)
		switch {
		case errno == syscall.EAGAIN:
			continue // the backstop passed with the buffer full: the message is still due
		case errno != 0:
			return os.NewSyscallError("write", errno)
		}
		p = p[n:]
	}
	return nil
}

func (t *threadProbe) pass() { pass(time.Now(), &t.passed) }

func (t *threadProbe) shut() { _ = sockopt.Shutdown(t.f, true, true) }
func (t *threadProbe) close() {
	_ = t.f.Close()
	t.procs.done(1)
}

// connProbe is a probe's net.Conn, where blocking I/O is missing.
type connProbe struct{ conn net.Conn }

func (c connProbe) await(p []byte, until time.Time) (int, error) {
	_ = c.conn.SetReadDeadline(until)
	n, err := c.conn.Read(p)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return n, nil
	}
	return n, err
}

func (c connProbe) write(p []byte) error {
	_, err := c.conn.Write(p)
	return err
}

func (c connProbe) shut()  { _ = c.conn.Close() }
func (c connProbe) close() { _ = c.conn.Close() }

// pass has nothing to do: every wait in the poller goes through the
// scheduler.
func (c connProbe) pass() {}
