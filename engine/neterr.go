package engine

import (
	"errors"
	"syscall"
)

// isReset reports whether err is a connection reset or a broken pipe: the
// peer went away.
func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// isRefused reports whether err is a refused connection: nothing listens.
// A connected UDP socket reports an ICMP port unreachable the same way.
func isRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED)
}
