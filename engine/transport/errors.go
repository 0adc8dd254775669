package transport

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
)

// IsRefused reports whether err is a refused connection: nothing listens.
// A connected UDP socket reports an ICMP port unreachable the same way.
func IsRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

// IsReset reports whether err is a connection reset or a broken pipe: the
// peer went away.
func IsReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// IsGone reports whether err means the peer went away or the socket was
// closed under the call: a reset, a broken pipe or net.ErrClosed.
func IsGone(err error) bool { return IsReset(err) || errors.Is(err, net.ErrClosed) }

// Short drops the network name that a *net.OpError repeats and keeps its
// operation and address: "listen [::]:5201: bind: address already in use".
func Short(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return fmt.Errorf("%s %v: %w", oe.Op, oe.Addr, oe.Err)
	}
	return err
}

// Cause drops the *net.OpError layer (which repeats the operation and
// addresses a caller that names them itself) and the *os.SyscallError one:
// "address already in use".
func Cause(err error) error {
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
