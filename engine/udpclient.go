package engine

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/goperf/goperf/engine/transport"
	"github.com/goperf/goperf/engine/wire"
	"github.com/goperf/goperf/sockopt"
)

// UDP stream set-up on the client.
const (
	udpConnectRetry   = time.Second      // resend the connect datagram after this long without a reply
	udpConnectTimeout = 10 * time.Second // give up on a stream after this long
)

// openUDPStreams opens the UDP streams one after another: each sends the
// connect datagram and waits for the server's reply before the next one
// starts, since the server numbers streams by arrival.
func (c *client) openUDPStreams() error {
	sp := &c.cfg.Spec
	opts := sp.sockopts(c.cfg.Device)
	network := c.cfg.Family.network(UDP)
	for i := range sp.totalStreams() {
		d := net.Dialer{Control: opts.Control()}
		if c.cfg.Bind != "" || c.cfg.CPort > 0 {
			port := 0
			if c.cfg.CPort > 0 {
				port = c.cfg.CPort + i
			}
			la, err := net.ResolveUDPAddr(network, joinHostPort(c.cfg.Bind, port))
			if err != nil {
				return fmt.Errorf("bind address %s: %w", c.cfg.Bind, err)
			}
			d.LocalAddr = la
		}
		conn, err := d.DialContext(c.ctrl.ctx, network, c.cfg.addr())
		if err != nil {
			return fmt.Errorf("stream %d: %w", i+1, transport.Short(err))
		}
		s := newStream(streamID(i), conn, sp.clientSends(i), sp.Length, sp.RepeatingPayload)
		c.streams = append(c.streams, s)
		s.asked = opts
		s.granted, _ = sockopt.Read(conn.(*net.UDPConn)) // zeros where unsupported
		if err := c.udpHandshake(conn.(*net.UDPConn)); err != nil {
			return fmt.Errorf("stream %d: %w", s.id, err)
		}
	}
	return nil
}

// udpHandshake sends the connect datagram until the server answers. A
// goperf server gets the cookie after it, so that it can tell this test's
// streams from another test's from the same host.
func (c *client) udpHandshake(conn *net.UDPConn) error {
	msg := wire.UDPConnect[:]
	if c.hello.V >= 1 {
		msg = append(msg[:4:4], c.cookie[:]...)
	}
	buf := make([]byte, 64<<10)
	deadline := time.Now().Add(udpConnectTimeout)
	for time.Now().Before(deadline) {
		if _, err := conn.Write(msg); err != nil {
			return udpSetupError(err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(udpConnectRetry))
		for {
			n, err := conn.Read(buf)
			if err != nil {
				if isTimeout(err) {
					break // resend
				}
				return udpSetupError(err)
			}
			// A data datagram says as much as the reply: the server has the
			// stream and is sending on it (our reply was lost, or beaten).
			// The datagram itself is not counted, so it shows as lost.
			if isUDPReply(buf[:n]) || n == c.cfg.Spec.Length {
				_ = conn.SetReadDeadline(time.Time{})
				return nil
			}
		}
	}
	return fmt.Errorf("no reply to the UDP stream set-up within %v (is UDP port %d open on the server?)", udpConnectTimeout, c.cfg.Port)
}

// isUDPReply accepts the replies stock servers have used.
func isUDPReply(b []byte) bool {
	for _, r := range [][4]byte{wire.UDPReply, wire.UDPReplyLegacy, wire.UDPConnect, {0x3a, 0xde, 0x68, 0xb1}} {
		if bytes.Equal(b, r[:]) {
			return true
		}
	}
	return false
}

// udpSetupError explains a failed set-up datagram: a refusal means nothing
// listens on the server's UDP port.
func udpSetupError(err error) error {
	if transport.IsRefused(err) {
		return errors.New("UDP stream set-up refused: nothing listens on the server's UDP port")
	}
	return fmt.Errorf("UDP stream set-up: %w", err)
}
