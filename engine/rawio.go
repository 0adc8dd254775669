package engine

import (
	"errors"
	"io"
	"os"
	"syscall"
	"time"
)

// Raw I/O runs a stream's loop inside syscall.RawConn callbacks and issues
// read(2) and write(2) through sockopt's raw calls, which skip the Go
// runtime's syscall bookkeeping (see sockopt.ReadRaw). Everything else
// stays Go's: on EAGAIN a callback returns false and the goroutine parks in
// the network poller, and after rawBurst bytes it returns true so that the
// runtime checks deadlines and Close before the next call. A test therefore
// still stops a sender with a past write deadline and a receiver with
// Close, and no flag is polled per call.

// Measured on a 2-core machine over loopback (alternating runs, medians),
// raw I/O gains 5 to 25 percent over net.Conn for a single stream, most at
// small buffers, but loses 10 to 15 percent with as many streams as Ps: a
// raw call holds its P for the whole system call, so the runtime can no
// longer run another stream's goroutine beside a long write. Thread loops
// (thread.go), which give each stream a P, beat both; auto uses raw I/O
// where they are not available and every stream can keep a P to itself.

// rawBurst is about how many bytes a callback moves before it returns to
// the runtime: 128 calls at 8 KiB, one at 1 MiB.
const rawBurst = 1 << 20

// errSpent ends a raw loop whose budget (-n, -k) is used up.
var errSpent = errors.New("budget spent")

// rawStep is what one raw call asks the loop to do next.
type rawStep int

const (
	stepMore rawStep = iota // call again
	stepWait                // EAGAIN: park until the socket is ready
	stepDone                // stop: s.exit says why
)

// rawLoop runs a callback through call (rc.Read or rc.Write) until it
// ends the loop or the runtime reports a deadline or a close.
func (s *stream) rawLoop(call func(func(uintptr) bool) error, fn func(uintptr) bool) error {
	for {
		err := call(fn)
		switch {
		case s.exit == errSpent:
			return nil
		case s.exit != nil:
			return s.exit
		case err != nil:
			return err
		}
	}
}

// writeLoop is the sender's RawConn.Write callback.
func (s *stream) writeLoop(fd uintptr) bool {
	return s.burstOf(s.rawSendStep, int(fd))
}

// readLoop is the receiver's RawConn.Read callback.
func (s *stream) readLoop(fd uintptr) bool {
	return s.burstOf(s.rawRecvStep, int(fd))
}

// burstOf runs step up to s.burst times and returns what a RawConn
// callback returns: false to park until the socket is ready, true to go
// back to the runtime.
func (s *stream) burstOf(step func(fd int) rawStep, fd int) bool {
	for range s.burst {
		switch step(fd) {
		case stepWait:
			return false
		case stepDone:
			return true
		}
	}
	return true
}

// rawSendStep paces, writes one block with a raw call and counts it.
func (s *stream) rawSendStep(fd int) rawStep { return s.sysSendStep(fd, s.send) }

// rawRecvStep reads once with a raw call and counts what came.
func (s *stream) rawRecvStep(fd int) rawStep { return s.sysRecvStep(fd, s.recv) }

// sysCall is a read or a write on a descriptor, as sockopt makes them.
type sysCall func(fd int, p []byte) (int, syscall.Errno)

// sysSendStep paces, writes one block through write and counts it. On a
// non-blocking socket EAGAIN means full; on a blocking one, that the
// socket's timeout passed. It allocates nothing.
func (s *stream) sysSendStep(fd int, write sysCall) rawStep {
	if s.pacer != nil {
		if err := s.pace(len(s.buf)); err != nil {
			s.exit = err
			return stepDone
		}
	}
	p, ok := s.nextBlock()
	if !ok {
		return stepDone
	}
	n, errno := write(fd, p)
	if n > 0 {
		s.count(n)
		s.took(n)
		if s.pacer != nil {
			s.pacer.sent(time.Since(s.epoch), n)
		}
	}
	switch errno {
	case 0:
		if s.budget != nil && s.budget.spend(true, n) {
			s.exit = errSpent
			return stepDone
		}
		return stepMore
	case syscall.EAGAIN:
		return stepWait
	case syscall.EINTR:
		return stepMore
	}
	s.exit = os.NewSyscallError("write", errno)
	return stepDone
}

// sysRecvStep reads once through read and counts what came. Past the
// budget it keeps reading, so the sender is never left blocked, but stops
// spending. It allocates nothing.
func (s *stream) sysRecvStep(fd int, read sysCall) rawStep {
	n, errno := read(fd, s.unread())
	switch {
	case n > 0:
		s.count(n)
		if err := s.stored(s.arrived(n)); err != nil {
			s.exit = err
			return stepDone
		}
		if s.budget != nil && s.spendRecv(n) {
			s.budget = nil
		}
		return stepMore
	case errno == 0:
		s.exit = io.EOF
		return stepDone
	case errno == syscall.EAGAIN:
		return stepWait
	case errno == syscall.EINTR:
		return stepMore
	}
	s.exit = os.NewSyscallError("read", errno)
	return stepDone
}
