package sockopt

import (
	"os"
	"syscall"
	"time"
)

// Blocking I/O serves a stream that keeps an OS thread to itself, as
// iperf3 3.16 and later run each stream on a pthread: its socket is a
// blocking duplicate out of Go's network poller (DupBlocking), and
// SendBlocking and RecvBlocking sleep in the kernel until the call can go
// on. Where blocking I/O is not available, BlockingIO is false,
// DupBlocking returns ErrUnsupported and the calls return ENOSYS.
//
// The calls are raw: they skip the runtime's system call entry, so the
// calling goroutine keeps its P while the call sleeps. That is safe only
// because the socket has a send and receive timeout: a sleeping call ends
// with EAGAIN when the timeout passes, and a signal ends a socket call
// that has a timeout with EINTR instead of restarting it. The runtime's
// preemption signal, which a collection that stops the world sends to
// every running thread, therefore ends the call at once, and the caller's
// next function call gives the P up. Give every caller a P of its own
// (GOMAXPROCS), since a P held in a sleeping call runs nothing else.
//
// Go's deadlines do not reach these calls. What ends a sleeping call is
// Shutdown, the peer, a signal, or the socket's timeout.

// DupBlocking returns a duplicate of conn's descriptor in an os.File, in
// blocking mode with timeout as its send and receive timeout. The
// duplicate shares the socket; the caller closes conn, which takes the
// socket out of the poller (a blocking os.File is never in it). In the
// poller, every arrival of data wakes the poller's thread through epoll.
func DupBlocking(conn syscall.Conn, timeout time.Duration) (*os.File, error) {
	var f *os.File
	err := withFD(conn, func(fd int) error {
		nfd, err := dupBlocking(fd, timeout)
		if err == nil {
			f = os.NewFile(uintptr(nfd), "socket")
		}
		return err
	})
	return f, err
}

// SendBlocking writes p to fd, a socket from DupBlocking, and never raises
// SIGPIPE. n is -1 with a non-zero errno, as from the kernel; EAGAIN means
// the timeout passed with nothing sent.
func SendBlocking(fd int, p []byte) (n int, errno syscall.Errno) {
	return sendBlocking(fd, p)
}

// RecvBlocking reads from fd, a socket from DupBlocking, into p. n is 0
// with a zero errno at the end of the stream or after Shutdown of its read
// side; EAGAIN means the timeout passed with nothing read.
func RecvBlocking(fd int, p []byte) (n int, errno syscall.Errno) {
	return recvBlocking(fd, p)
}

// RecvAwake reads from fd, a socket from DupBlocking, into p, as
// RecvBlocking does, or as RecvDiscard does when discard is set; but
// while fd has nothing to read it first tries again without sleeping, for
// up to spin.For unless spin has learned that polls go unanswered
// (Spinner), and only then makes the call that may sleep. A reader with a
// core to itself so takes the next data awake, and the writer does not pay
// for waking it. polled is the time spent polling the empty socket.
func RecvAwake(fd int, p []byte, discard bool, spin *Spinner) (n int, polled time.Duration, errno syscall.Errno) {
	return recvAwake(fd, p, discard, spin)
}

// WaitReadable sleeps until fd, a socket from DupBlocking, has data to
// read, its read side has ended (the peer closed or reset it, or
// Shutdown), or d has passed; d < 0 waits without a limit. It reports
// whether fd is readable, false when d passed or a signal cut the wait
// short (the caller reads its clock again). It is a ppoll(2), timed as
// finely as the thread's timer slack allows (SetTimerSlack), where a Go
// deadline may end a millisecond late. Unlike SendBlocking and
// RecvBlocking it is a call the runtime sees: the caller's P is free for
// other goroutines while it sleeps. (Held in a raw call, it starved the
// poller's goroutines of the same process: a client's probe beside a
// server whose echo went through the poller saw 6 ms round trips.)
func WaitReadable(fd int, d time.Duration) (ready bool, errno syscall.Errno) {
	return waitReadable(fd, d)
}

// Shutdown shuts down the read side, the write side, or both, of conn,
// which wakes a call sleeping on that side: a read returns 0, a write
// EPIPE. On a TCP socket shutting the write side sends FIN; on a UDP
// socket it is local only.
func Shutdown(conn syscall.Conn, read, write bool) error {
	return withFD(conn, func(fd int) error { return shutdown(fd, read, write) })
}
