package sockopt

import (
	"errors"
	"fmt"
	"syscall"
)

// ErrUnsupported reports an option or kernel interface this platform lacks.
var ErrUnsupported = errors.New("not supported on this platform")

// Options are the socket options a caller may ask for. The zero value asks
// for nothing: every field left zero keeps the kernel's default.
type Options struct {
	SendBuffer    int    // SO_SNDBUF in bytes; SO_SNDBUFFORCE is tried first
	RecvBuffer    int    // SO_RCVBUF in bytes; SO_RCVBUFFORCE is tried first
	MSS           int    // TCP_MAXSEG in bytes
	NoDelay       bool   // TCP_NODELAY
	Congestion    string // TCP_CONGESTION algorithm name, e.g. "cubic", "bbr"
	TOS           int    // IP_TOS / IPV6_TCLASS byte, 1..255
	Device        string // SO_BINDTODEVICE interface name
	MaxPacingRate uint64 // SO_MAX_PACING_RATE in bytes/s
	ReusePort     bool   // SO_REUSEADDR and SO_REUSEPORT: share a port between sockets
	PacketInfo    bool   // IP_PKTINFO / IPV6_RECVPKTINFO: report each datagram's destination
	DontFragment  bool   // IP_MTU_DISCOVER / IPV6_MTU_DISCOVER = PMTUDISC_DO: the DF bit, never fragment
	UserTimeout   int    // TCP_USER_TIMEOUT in ms: fail a connection whose data stays unacknowledged this long
}

// Granted is what the kernel reports for a socket after the options were set.
// Buffer sizes are as getsockopt returns them: Linux doubles the requested
// value to account for its bookkeeping overhead.
type Granted struct {
	SendBuffer int    // SO_SNDBUF, bytes
	RecvBuffer int    // SO_RCVBUF, bytes
	MSS        int    // TCP_MAXSEG, bytes (TCP only)
	NoDelay    bool   // TCP_NODELAY (TCP only)
	Congestion string // TCP_CONGESTION (TCP only, Linux only)
	TOS        int    // IP_TOS or IPV6_TCLASS
	// DontFragment: path MTU discovery is PMTUDISC_DO (the DF bit; Linux).
	DontFragment bool
	UserTimeout  int // TCP_USER_TIMEOUT, ms (TCP only, Linux only)
	// MaxPacingRate is SO_MAX_PACING_RATE in bytes/s, 0 = unlimited
	// (Linux only).
	MaxPacingRate uint64
}

// Control returns a function for net.Dialer.Control and
// net.ListenConfig.Control that applies o to a new socket before it is bound
// or connected. Options that must hold (buffer sizes, MSS, congestion
// control, TOS, device) fail the dial or listen when the kernel refuses them.
func (o Options) Control() func(network, address string, c syscall.RawConn) error {
	return func(network, _ string, c syscall.RawConn) error {
		var setErr error
		err := c.Control(func(fd uintptr) {
			setErr = o.apply(int(fd), network)
		})
		if err != nil {
			return fmt.Errorf("sockopt: %w", err)
		}
		return setErr
	}
}

// Apply sets o on an existing socket, such as one returned by Accept.
// Options that only matter before connect (MSS) are still attempted; the
// kernel may ignore them on an established connection.
func (o Options) Apply(conn syscall.Conn, network string) error {
	return withFD(conn, func(fd int) error { return o.apply(fd, network) })
}

// Read returns the options in effect on conn.
func Read(conn syscall.Conn) (Granted, error) {
	var g Granted
	err := withFD(conn, func(fd int) error {
		var err error
		g, err = read(fd)
		return err
	})
	return g, err
}

// FD returns the descriptor number of conn, for display only (iperf3 prints
// it as the stream's id). It returns -1 when the descriptor is unavailable.
func FD(conn syscall.Conn) int {
	fd := -1
	_ = withFD(conn, func(n int) error { fd = n; return nil })
	return fd
}

// withFD runs f with conn's file descriptor.
func withFD(conn syscall.Conn, f func(fd int) error) error {
	rc, err := conn.SyscallConn()
	if err != nil {
		return fmt.Errorf("sockopt: %w", err)
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = f(int(fd)) }); err != nil {
		return fmt.Errorf("sockopt: %w", err)
	}
	return ferr
}

// isTCP reports whether network names a TCP socket ("tcp", "tcp4", "tcp6").
func isTCP(network string) bool {
	return len(network) >= 3 && network[:3] == "tcp"
}

// isIPv6 reports whether network names an IPv6-only socket. Dual-stack
// sockets ("tcp", "udp") are IPv6 sockets on Linux when the address is not an
// IPv4 one; callers set TOS on both levels for those, see setTOS.
func isIPv6(network string) bool {
	return len(network) > 0 && network[len(network)-1] == '6'
}
