package echo

import (
	"context"
	"fmt"
	"net"

	"github.com/goperf/goperf/engine/output"
	"github.com/goperf/goperf/engine/transport"
)

// announce prints the seed's line, "Dialing localhost:5001 using tcp".
func announce(cfg *ClientConfig, out output.Output) {
	if out.Format == output.Text {
		fmt.Fprintf(out.W, "Dialing %s using %s\n", cfg.address(), network(cfg.Proto))
	}
}

// dial connects to the server. A UDP socket is connected too, so that the
// kernel filters out datagrams from anyone else and reports an ICMP port
// unreachable as a refused read.
func dial(ctx context.Context, cfg *ClientConfig) (net.Conn, error) {
	d := net.Dialer{Timeout: cfg.ConnectTimeout, Control: windowOptions(cfg.Window).Control()}
	conn, err := d.DialContext(ctx, network(cfg.Proto), cfg.address())
	if err != nil && ctx.Err() != nil {
		return nil, output.ErrInterrupted
	}
	if err != nil {
		return nil, peerError(cfg, fmt.Errorf("dial %s: %w", cfg.address(), transport.Cause(err)), err)
	}
	return conn, nil
}

// peerError adds a hint to err when cause says nothing listens.
func peerError(cfg *ClientConfig, err, cause error) error {
	if !transport.IsRefused(cause) {
		return err
	}
	hint := "goecho -s"
	if cfg.Proto == UDP {
		hint = "goecho -s -u"
	}
	return fmt.Errorf("%w (is a server running? start one with %s)", err, hint)
}
