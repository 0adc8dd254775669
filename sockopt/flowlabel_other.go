//go:build !linux || goperf_portable

package sockopt

import (
	"context"
	"net"
	"time"
)

func dialFlowLabel(context.Context, *net.TCPAddr, *net.TCPAddr, uint32, Options, time.Duration) (net.Conn, error) {
	return nil, ErrUnsupported
}
