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

// spinReader reads from one connection by busy-polling. Its callback is
// bound once, so a read allocates nothing.
type spinReader struct {
	rc     syscall.RawConn
	window time.Duration
	fn     func(fd uintptr) bool

	// One read's state, for the callback.
	buf   []byte
	full  bool // read until buf is full (TCP), or one datagram (UDP)
	got   int
	err   error // the read's own error: EOF, a reset, a refusal
	until time.Time
}

func newSpinReader(conn net.Conn, window time.Duration) (*spinReader, error) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil, syscall.EINVAL
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, err
	}
	s := &spinReader{rc: rc, window: window}
	s.fn = s.poll
	return s, nil
}

// read reads into buf as described by full. The connection's read
// deadline applies once the window is over.
func (s *spinReader) read(buf []byte, full bool) (int, error) {
	s.buf, s.full, s.got, s.err = buf, full, 0, nil
	s.until = time.Now().Add(s.window)
	return s.resume()
}

// resume goes on with the current read, after a deadline was re-armed.
func (s *spinReader) resume() (int, error) {
	err := s.rc.Read(s.fn)
	if s.err != nil {
		return s.got, s.err
	}
	return s.got, err
}

// poll is the RawConn callback: it reads until done, or returns false to
// park when the window is over and nothing is there.
func (s *spinReader) poll(fd uintptr) bool {
	for {
		n, errno := sockopt.ReadRaw(int(fd), s.buf[s.got:])
		switch {
		case n > 0:
			s.got += n
			if !s.full || s.got == len(s.buf) {
				return true
			}
		case errno == 0: // EOF, or an empty datagram
			if s.full {
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
