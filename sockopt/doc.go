// Package sockopt sets and reads socket options and kernel socket state.
//
// It knows sockets, not tests: buffer sizes, TCP_MAXSEG, TCP_NODELAY,
// congestion control, TOS/traffic class, SO_BINDTODEVICE, pacing rate and
// TCP_INFO. Options are applied in the Control callback of a net.Dialer or
// net.ListenConfig (before bind and connect) and read back afterwards, so
// callers can report what they asked for and what the kernel granted.
//
// It is the only package of the module that imports golang.org/x/sys/unix.
// On Linux every option is supported; elsewhere the portable subset is set
// and the Linux-only options return ErrUnsupported.
package sockopt
