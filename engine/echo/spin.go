package echo

import (
	"io"
	"net"
	"runtime"
	"syscall"
	"time"

	"github.com/goperf/goperf/sockopt"
)

// Busy-polling. A goroutine that waits for an echo in Go's network poller
// parks, its thread sleeps, and the echo must wake both: on a loopback
// path that costs as much as the path itself, and a ping-pong client
// measures its own wake-up. So a closed-loop client that has a P to itself
// polls the socket with raw non-blocking reads (sockopt.ReadRaw, inside a
// RawConn callback) for up to a spin window after each send, and parks only
// when the echo takes longer. It costs a CPU while the run lasts; Spin < 0
// turns it off.

// DefaultSpin is how long a closed-loop client busy-polls for an echo
// before it parks.
const DefaultSpin = 50 * time.Microsecond

// spins reports whether a closed loop over conns connections busy-polls.
func spins(m *MeasureConfig) bool {
	return sockopt.RawIO && m.Spin >= 0 && m.Rate == 0 && m.Conns < runtime.GOMAXPROCS(0)
}

// spinConn reads from one connection by busy-polling, and writes to it
// with raw system calls too: a write through net.Conn enters the runtime's
// syscall path, and one that lasts past a sysmon tick (a loopback write
// runs the receiver's network stack) hands the P to another thread, which
// keeps sysmon waking every 20 µs, each time taking a CPU from a spinner.
// Its callbacks are bound once, so a read or a write allocates nothing.
type spinConn struct {
	rc     syscall.RawConn
	window time.Duration
	stream bool // TCP: a read of nothing is the end of the stream
	fn     func(fd uintptr) bool
	wfn    func(fd uintptr) bool

	// One read's state, for the callback.
	buf   []byte
	full  bool // read until buf is full (TCP), or what is there: some bytes (TCP), one datagram (UDP)
	got   int
	err   error // the read's own error: EOF, a reset, a refusal
	until time.Time

	// One write's state.
	out   []byte
	wrote int
	werr  syscall.Errno
}

func newSpinConn(conn net.Conn, window time.Duration) (*spinConn, error) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil, syscall.EINVAL
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, err
	}
	_, datagrams := conn.(net.PacketConn)
	s := &spinConn{rc: rc, window: window, stream: !datagrams}
	s.fn, s.wfn = s.poll, s.push
	return s, nil
}

// read reads into buf as described by full. The connection's read
// deadline applies once the window is over.
func (s *spinConn) read(buf []byte, full bool) (int, error) {
	s.buf, s.full, s.got, s.err = buf, full, 0, nil
	s.until = time.Now().Add(s.window)
	return s.resume()
}

// Read reads what is there, as a net.Conn's Read: the server's read.
func (s *spinConn) Read(p []byte) (int, error) { return s.read(p, false) }

// resume goes on with the current read, after a deadline was re-armed.
func (s *spinConn) resume() (int, error) {
	err := s.rc.Read(s.fn)
	if s.err != nil {
		return s.got, s.err
	}
	return s.got, err
}

// poll is the RawConn callback: it reads until done, or returns false to
// park when the window is over and nothing is there.
func (s *spinConn) poll(fd uintptr) bool {
	for {
		n, errno := sockopt.ReadRaw(int(fd), s.buf[s.got:])
		switch {
		case n > 0:
			s.got += n
			if !s.full || s.got == len(s.buf) {
				return true
			}
		case errno == 0: // EOF, or an empty datagram
			if s.stream {
				s.err = io.EOF
			}
			return true
		case errno != syscall.EAGAIN:
			s.err = errno
			return true
		case time.Now().After(s.until):
			return false
		}
	}
}

// Write writes all of p (TCP) or p as one datagram (UDP), waiting in the
// network poller while the send buffer is full; the connection's write
// deadline applies there.
func (s *spinConn) Write(p []byte) (int, error) {
	s.out, s.wrote, s.werr = p, 0, 0
	err := s.rc.Write(s.wfn)
	if s.werr != 0 {
		return s.wrote, s.werr
	}
	return s.wrote, err
}

// push is Write's callback: it returns false to wait for room.
func (s *spinConn) push(fd uintptr) bool {
	for s.wrote < len(s.out) {
		n, errno := sockopt.WriteRaw(int(fd), s.out[s.wrote:])
		switch {
		case errno == syscall.EAGAIN:
			return false
		case errno != 0:
			s.werr = errno
			return true
		}
		s.wrote += n
		if !s.stream {
			return true
		}
	}
	return true
}
