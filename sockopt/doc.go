// Package sockopt sets and reads socket options and kernel socket state.
//
// It knows sockets, not tests: buffer sizes, TCP_MAXSEG, TCP_NODELAY,
// congestion control, TOS/traffic class, SO_BINDTODEVICE, pacing rate and
// TCP_INFO. Options are applied in the Control callback of a net.Dialer or
// net.ListenConfig (before bind and connect) and read back afterwards, so
// callers can report what they asked for and what the kernel granted.
//
// It is the only package of the module that imports golang.org/x/sys/unix.
//
// # Platforms
//
// On Linux every option and interface is there (the *_linux.go files).
// Elsewhere on Unix the portable files set what every Unix has: buffer
// sizes, TCP_NODELAY, TCP_MAXSEG, TOS and address reuse
// (sockopt_portable.go); what a caller asks for and the platform lacks
// (a device, congestion control, a pacing rate) returns ErrUnsupported, and
// what the tools use where it exists is reported as off: PacketDst finds
// no address, TCP_INFO (HasTCPInfo), batched and GSO/GRO calls
// (NewBatcher), raw (RawIO) and blocking (BlockingIO) I/O. Off Unix only
// Go's own defaults hold (sockopt_other.go).
//
// The build tag goperf_portable makes Linux compile the portable files
// instead of its own, so that the portable path is built and tested where
// CI runs (make test-portable).
package sockopt
