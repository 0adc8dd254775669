package echo

import (
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/goperf/goperf/sockopt"
)

// udpSpinner is the UDP server's socket read by busy-polling, as
// spinConn reads a TCP connection: after each datagram it polls for the
// next for up to its window, then parks in the network poller. Each
// datagram's sender is kept raw (sockopt.Peer) and answered from there;
// its callbacks are bound once, so a datagram allocates nothing.
type udpSpinner struct {
	rc     syscall.RawConn
	window time.Duration
	recvFn func(fd uintptr) bool
	sendFn func(fd uintptr) bool

	// One call's state, for the callbacks.
	peer  sockopt.Peer
	buf   []byte
	n     int
	errno syscall.Errno
	until time.Time
}

func newUDPSpinner(pc *net.UDPConn, window time.Duration) (*udpSpinner, error) {
	rc, err := pc.SyscallConn()
	if err != nil {
		return nil, err
	}
	u := &udpSpinner{rc: rc, window: window}
	u.recvFn, u.sendFn = u.pollRecv, u.pollSend
	return u, nil
}

// recv reads one datagram into buf and returns its length and sender.
func (u *udpSpinner) recv(buf []byte) (int, netip.AddrPort, error) {
	u.buf, u.n, u.errno = buf, 0, 0
	u.until = time.Now().Add(u.window)
	if err := u.rc.Read(u.recvFn); err != nil {
		return 0, netip.AddrPort{}, err
	}
	if u.errno != 0 {
		return 0, netip.AddrPort{}, u.errno
	}
	return u.n, u.peer.AddrPort(), nil
}

// reply sends p to the sender of the datagram recv returned last.
func (u *udpSpinner) reply(p []byte) error {
	u.buf, u.errno = p, 0
	if err := u.rc.Write(u.sendFn); err != nil {
		return err
	}
	if u.errno != 0 {
		return u.errno
	}
	return nil
}

// pollRecv is recv's callback: false parks it once the window is over.
func (u *udpSpinner) pollRecv(fd uintptr) bool {
	for {
		n, errno := sockopt.RecvFromRaw(int(fd), u.buf, &u.peer)
		switch {
		case errno == 0:
			u.n = n
			return true
		case errno != syscall.EAGAIN:
			u.errno = errno
			return true
		case time.Now().After(u.until):
			return false
		}
	}
}

// pollSend is reply's callback: false waits for room in the send buffer.
func (u *udpSpinner) pollSend(fd uintptr) bool {
	_, errno := sockopt.SendToRaw(int(fd), u.buf, &u.peer)
	if errno == syscall.EAGAIN {
		return false
	}
	u.errno = errno
	return true
}
