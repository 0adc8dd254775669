//go:build !unix

package sockopt

import "fmt"

// BUG(goperf): Off Unix no socket option is set: a non-zero Options field
// returns ErrUnsupported and Read reports zeros. Callers still get Go's own
// defaults (TCP_NODELAY on TCP sockets), which net.TCPConn can change.

// apply sets nothing and reports the first option it was asked for.
func (o Options) apply(_ int, _ string) error {
	if o != (Options{NoDelay: o.NoDelay}) {
		return fmt.Errorf("socket options: %w", ErrUnsupported)
	}
	return nil
}

// read reports nothing.
func read(_ int) (Granted, error) {
	return Granted{}, ErrUnsupported
}
