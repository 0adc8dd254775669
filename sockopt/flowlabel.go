package sockopt

import (
	"context"
	"net"
	"time"
)

// MaxFlowLabel is the largest IPv6 flow label (20 bits).
const MaxFlowLabel = 0xfffff

// DialFlowLabel connects a TCP socket to raddr, an IPv6 address, from
// laddr (nil: any) with opts applied, and with label as the IPv6 flow
// label of every packet it sends, as iperf3's -L: the kernel takes the
// label from the address connect(2) is given, which Go's dialer always
// leaves 0, so the connection is made here, blocking up to timeout, and
// then handed to Go as a net.Conn. Where flow labels are not available it
// returns ErrUnsupported.
func DialFlowLabel(ctx context.Context, laddr, raddr *net.TCPAddr, label uint32, opts Options, timeout time.Duration) (net.Conn, error) {
	return dialFlowLabel(ctx, laddr, raddr, label, opts, timeout)
}
