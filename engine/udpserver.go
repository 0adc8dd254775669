package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/goperf/goperf/engine/transport"
	"github.com/goperf/goperf/engine/wire"
	"github.com/goperf/goperf/sockopt"
)

// udpListener is a server's UDP socket on the test port. It only sees the
// datagrams that open streams: each stream gets a socket of its own,
// connected to the client, which the kernel prefers for that client's
// datagrams (the sockets share the port with SO_REUSEPORT).
type udpListener struct {
	srv  *Server
	conn *net.UDPConn
	port int
}

// listenUDP opens the UDP listener beside the TCP one.
func (s *Server) listenUDP(ctx context.Context) error {
	lc := net.ListenConfig{Control: sockopt.Options{ReusePort: true, PacketInfo: true, Device: s.cfg.Device}.Control()}
	pc, err := lc.ListenPacket(ctx, s.cfg.Family.network(UDP), joinHostPort(s.cfg.Bind, s.Addr().(*net.TCPAddr).Port))
	if err != nil {
		return fmt.Errorf("listen UDP: %w", transport.Short(err))
	}
	conn := pc.(*net.UDPConn)
	s.udp = &udpListener{srv: s, conn: conn, port: conn.LocalAddr().(*net.UDPAddr).Port}
	if s.out.Format == Text && !s.out.Iperf3 {
		fmt.Fprintf(s.w, "Listening on %s using UDP\n", conn.LocalAddr())
	}
	return nil
}

// serve reads connect datagrams until the listener is closed.
func (u *udpListener) serve() {
	buf, oob := make([]byte, 512), make([]byte, sockopt.PacketInfoSpace)
	for {
		n, oobn, _, from, err := u.conn.ReadMsgUDPAddrPort(buf, oob)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue // a truncated datagram or an ICMP error queued on the socket
		}
		dst, _ := sockopt.PacketDst(oob[:oobn])
		u.handle(buf[:n], netip.AddrPortFrom(from.Addr().Unmap(), from.Port()), dst)
	}
}

// isConnect reports whether b opens a stream: iperf3's "9876", the legacy
// value, or goperf's "9876" followed by the test's cookie.
func isConnect(b []byte) bool {
	return len(b) >= 4 && (bytes.Equal(b[:4], wire.UDPConnect[:]) || bytes.Equal(b[:4], wire.UDPConnectLegacy[:]))
}

// handle gives a connect datagram to its test.
func (u *udpListener) handle(b []byte, from netip.AddrPort, dst netip.Addr) {
	if !isConnect(b) {
		return
	}
	ss := u.srv.udpTarget(b, from)
	if ss == nil {
		u.srv.out.Log.Verbose("UDP set-up from %v matches no test", from)
		return
	}
	if err := ss.addUDPStream(from, dst, u.port); err != nil {
		u.srv.out.Log.Error("test #%d: UDP stream from %v: %v", ss.no, from, err)
	}
}

// udpTarget finds the test a connect datagram belongs to: by its cookie
// from a goperf client; from a stock client, which sends none, the oldest
// test from that host that waits for UDP streams. Stock set-ups from one
// host are serialised (see session.acceptUDP), so that choice is unique.
func (s *Server) udpTarget(b []byte, from netip.AddrPort) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(b) == 4+wire.CookieLen {
		var c wire.Cookie
		copy(c[:], b[4:])
		if ss := s.sessions[c]; ss != nil && ss.udpAccepting {
			return ss
		}
		return nil
	}
	var best *session
	for _, ss := range s.sessions {
		if ss.udpAccepting && !ss.goperf && ss.peerIP == from.Addr() && (best == nil || ss.no < best.no) {
			best = ss
		}
	}
	return best
}

// addUDPStream makes the socket of a new stream from client from, or
// answers again for a stream it already made (the client's reply was
// lost). The socket is bound to the address the client wrote to, so the
// reply comes from it even on a host with several.
func (ss *session) addUDPStream(from netip.AddrPort, dst netip.Addr, port int) error {
	if conn := ss.udpStreamFrom(from); conn != nil {
		_, err := conn.Write(wire.UDPReply[:])
		return err
	}
	network := "udp4"
	if from.Addr().Is6() {
		network = "udp6"
	}
	local := &net.UDPAddr{Port: port}
	if dst.IsValid() {
		local.IP = dst.Unmap().AsSlice()
	}
	opts := ss.spec.sockopts("")
	opts.ReusePort = true
	d := net.Dialer{LocalAddr: local, Control: opts.Control()}
	c, err := d.Dial(network, from.String())
	if err != nil {
		return transport.Short(err)
	}
	conn := c.(*net.UDPConn)
	discardQueued(conn)
	if _, err := conn.Write(wire.UDPReply[:]); err != nil {
		conn.Close()
		return err
	}
	ss.srv.mu.Lock()
	ss.nextSeq++
	ok := ss.udpAccepting && ss.offerLocked(conn, ss.nextSeq)
	if ok {
		ss.answerStops = append(ss.answerStops, answerRepeats(conn))
	}
	ss.srv.mu.Unlock()
	if !ok {
		conn.Close()
		return errors.New("the test takes no more streams")
	}
	return nil
}

// answerRepeats replies to connect datagrams that reach a new stream's
// socket before the test starts: once the socket is connected, the kernel
// gives it the client's repeats, which mean our reply was lost. The
// returned function stops it and waits, so the stream's own loop is the
// socket's only reader.
func answerRepeats(conn *net.UDPConn) (stop func()) {
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 512)
		for {
			_ = conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
			n, err := conn.Read(buf)
			select {
			case <-quit:
				return
			default:
			}
			switch {
			case err == nil && isConnect(buf[:n]):
				_, _ = conn.Write(wire.UDPReply[:])
			case err != nil && !isTimeout(err):
				return // closed
			}
		}
	}()
	return func() {
		close(quit)
		_ = conn.SetReadDeadline(aLongTimeAgo)
		<-done
		_ = conn.SetReadDeadline(time.Time{})
	}
}

// stopAnswering ends every answerRepeats of the test.
func (ss *session) stopAnswering() {
	ss.srv.mu.Lock()
	stops := ss.answerStops
	ss.answerStops = nil
	ss.srv.mu.Unlock()
	for _, stop := range stops {
		stop()
	}
}

// udpStreamFrom returns the socket already made for from, if any.
func (ss *session) udpStreamFrom(from netip.AddrPort) *net.UDPConn {
	ss.srv.mu.Lock()
	defer ss.srv.mu.Unlock()
	for _, pc := range ss.pending {
		if c, ok := pc.conn.(*net.UDPConn); ok && c.RemoteAddr().(*net.UDPAddr).AddrPort() == from {
			return c
		}
	}
	return nil
}

// discardQueued drops what a new stream socket received before it was
// connected: datagrams for the shared port from anyone, including this
// client's repeated connect datagram.
func discardQueued(conn *net.UDPConn) {
	buf := make([]byte, 2048)
	_ = conn.SetReadDeadline(aLongTimeAgo)
	for {
		if _, err := conn.Read(buf); err != nil {
			break
		}
	}
	_ = conn.SetReadDeadline(time.Time{})
}

// acceptUDP opens the test to UDP streams. A stock client's datagrams carry
// no cookie, so only one test per client host accepts them at a time; a
// second waits for the first, up to the streams timeout.
func (ss *session) acceptUDP() error {
	deadline := time.Now().Add(ss.ctrl.timeout)
	for {
		ss.srv.mu.Lock()
		busy := false
		if !ss.goperf {
			for _, o := range ss.srv.sessions {
				busy = busy || (o != ss && o.udpAccepting && !o.goperf && o.peerIP == ss.peerIP)
			}
		}
		if !busy {
			ss.want, ss.accepting, ss.udpAccepting = ss.spec.totalStreams(), false, true
			ss.srv.mu.Unlock()
			return nil
		}
		ss.srv.mu.Unlock()
		if time.Now().After(deadline) {
			return fmt.Errorf("another UDP test from %v is still setting up its streams", ss.peerIP)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
