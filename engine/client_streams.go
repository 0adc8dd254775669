package engine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/goperf/goperf/engine/transport"
	"github.com/goperf/goperf/engine/wire"
	"github.com/goperf/goperf/sockopt"
)

// How a client opens its data streams: dialled with the test's socket
// options, each announced by the cookie.

// dial connects to the server from the configured local address, with
// opts applied before the connection is made. localPort 0 means any.
//
// data is the test of a data stream, nil for the control connection: its
// MPTCP asks for Multipath TCP, which falls back to TCP on its own, and
// its FlowLabel labels the stream's packets (-L).
func (c *client) dial(ctx context.Context, network string, localPort int, opts sockopt.Options, data *Spec) (net.Conn, error) {
	d := net.Dialer{Timeout: c.cfg.ConnectTimeout, Control: opts.Control()}
	d.SetMultipathTCP(data != nil && data.MPTCP)
	if d.Timeout == 0 {
		d.Timeout = defaultConnectTimeout
	}
	if c.cfg.Bind != "" || localPort != 0 {
		la, err := net.ResolveTCPAddr(network, joinHostPort(c.cfg.Bind, localPort))
		if err != nil {
			return nil, fmt.Errorf("bind address %s: %w", c.cfg.Bind, err)
		}
		d.LocalAddr = la
	}
	var conn net.Conn
	var err error
	if data != nil && data.FlowLabel > 0 {
		conn, err = c.dialFlowLabel(ctx, d, uint32(data.FlowLabel), opts)
	} else {
		conn, err = d.DialContext(ctx, network, c.cfg.addr())
	}
	switch {
	case err == nil:
		return conn, nil
	case ctx.Err() != nil:
		return nil, ErrInterrupted
	case transport.IsRefused(err):
		return nil, fmt.Errorf("connect %s: connection refused (is a server running? start one with goperf -s)", c.cfg.addr())
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		err = oe.Err
	}
	return nil, fmt.Errorf("connect %s: %w", c.cfg.addr(), err)
}

// dialFlowLabel dials as d would, over IPv6 with label as the flow label
// (-L), which Go's dialer cannot set.
func (c *client) dialFlowLabel(ctx context.Context, d net.Dialer, label uint32, opts sockopt.Options) (net.Conn, error) {
	raddr, err := net.ResolveTCPAddr("tcp6", c.cfg.addr())
	if err != nil {
		return nil, specErr(wire.CodeSetFlow, "unable to set IPv6 flow label: it needs an IPv6 server address (%v)", err)
	}
	la, _ := d.LocalAddr.(*net.TCPAddr)
	return sockopt.DialFlowLabel(ctx, la, raddr, label, opts, d.Timeout)
}

// createStreams opens the data streams the test asks for.
func (c *client) createStreams() error {
	if c.cfg.Proto == UDP {
		return c.openUDPStreams()
	}
	return c.openStreams()
}

// openStreams connects the data streams one after another: the server
// numbers them and, in bidir, assigns their direction by arrival order.
func (c *client) openStreams() error {
	sp := &c.cfg.Spec
	opts := sp.sockopts(c.cfg.Device)
	opts.UserTimeout = int(c.cfg.SendTimeout.Milliseconds())
	network := c.cfg.Family.network(TCP)
	for i := range sp.totalStreams() {
		port := 0
		if c.cfg.CPort > 0 {
			port = c.cfg.CPort + i
		}
		conn, err := c.dial(c.ctrl.ctx, network, port, opts, sp)
		if err != nil {
			return fmt.Errorf("stream %d: %w", i+1, err)
		}
		s := newStream(streamID(i), conn, sp.clientSends(i), sp.Length, sp.RepeatingPayload)
		c.streams = append(c.streams, s)
		if err := prepareTCP(s, opts); err != nil {
			return err
		}
		_ = conn.SetWriteDeadline(time.Now().Add(ctrlTimeout))
		if _, err := conn.Write(c.cookie[:]); err != nil {
			return fmt.Errorf("stream %d: sending cookie: %w", i+1, err)
		}
		_ = conn.SetWriteDeadline(time.Time{})
	}
	return nil
}
