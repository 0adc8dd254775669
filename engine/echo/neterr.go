package echo

import (
	"errors"
	"net"
	"os"
	"syscall"
)

// unwrapOp drops the *net.OpError layer (which repeats the operation and
// addresses the caller already names) and the *os.SyscallError one.
func unwrapOp(err error) error {
	var op *net.OpError
	if errors.As(err, &op) {
		err = op.Err
	}
	var sc *os.SyscallError
	if errors.As(err, &sc) {
		err = sc.Err
	}
	return err
}

// isRefused reports whether err is a refused connection: nothing listens.
// A connected UDP socket reports an ICMP port unreachable the same way.
func isRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

// isGone reports whether err means the peer went away: a reset, a broken
// pipe or a closed socket.
func isGone(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed)
}
