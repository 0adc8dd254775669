//go:build !linux || goperf_portable

package sockopt

import (
	"context"
	"net"
	"time"
)

// FlowLabels reports whether DialFlowLabel can label connections here.
const FlowLabels = false

func dialFlowLabel(context.Context, *net.TCPAddr, *net.TCPAddr, uint32, Options, time.Duration) (net.Conn, error) {
	return nil, ErrUnsupported
}
