//go:build unix

package sockopt

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// What Linux's files and the portable ones set and read the same way.

// setReuse lets several sockets bind one address and port: a UDP server's
// listening socket and the connected socket of each stream, which the
// kernel prefers for datagrams from its peer.
func setReuse(fd int) error {
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return fmt.Errorf("SO_REUSEADDR: %w", os.NewSyscallError("setsockopt", err))
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); err != nil {
		return fmt.Errorf("SO_REUSEPORT: %w", os.NewSyscallError("setsockopt", err))
	}
	return nil
}

// readCommon reads what every Unix reports the same way: the buffer sizes,
// as getsockopt gives them (Linux doubles what was asked), and on a stream
// socket TCP_MAXSEG and TCP_NODELAY. stream says fd is a stream socket.
func readCommon(fd int) (g Granted, stream bool, err error) {
	if g.SendBuffer, err = unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF); err != nil {
		return g, false, os.NewSyscallError("getsockopt", err)
	}
	if g.RecvBuffer, err = unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF); err != nil {
		return g, false, os.NewSyscallError("getsockopt", err)
	}
	if typ, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE); err != nil || typ != unix.SOCK_STREAM {
		return g, false, nil
	}
	// These exist on every TCP socket; a failure means the socket is not
	// TCP after all, and the fields stay zero.
	g.MSS, _ = unix.GetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_MAXSEG)
	nd, _ := unix.GetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY)
	g.NoDelay = nd != 0
	return g, true, nil
}
