package engine

import (
	"fmt"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/goperf/goperf/sockopt"
)

// detachedConn is a stream's socket taken out of Go's network poller for
// a thread loop: a blocking duplicate of the descriptor in an os.File,
// with the addresses of the connection it came from.
//
// In the poller, every arrival of data (or of an ACK that frees send
// space) wakes the poller's thread through epoll, though no goroutine
// waits there, and the waking costs the CPU that delivers the packet.
// Measured (iperf3 3.21 client, goperf server, 4 streams of 128 KiB over
// loopback, alternating, medians of 6): a thread loop on a socket still in
// the poller ran at 0.74x iperf3's own server, detached at 0.91x.
type detachedConn struct {
	*os.File
	local, remote net.Addr
}

func (c *detachedConn) LocalAddr() net.Addr  { return c.local }
func (c *detachedConn) RemoteAddr() net.Addr { return c.remote }

// CloseWrite shuts the write side: FIN on TCP, as net.TCPConn's does.
func (c *detachedConn) CloseWrite() error { return sockopt.Shutdown(c, false, true) }

// detach moves the stream onto a blocking duplicate of its socket, with
// timeout as its send and receive timeout, and closes the original, which
// takes the socket out of the poller. It runs before the stream's loop and
// sampler start.
func (s *stream) detach(timeout time.Duration) error {
	sc, ok := s.conn.(syscall.Conn)
	if !ok {
		return fmt.Errorf("stream %d: no descriptor to detach", s.id)
	}
	f, err := sockopt.DupBlocking(sc, timeout)
	if err != nil {
		return fmt.Errorf("stream %d: %w", s.id, err)
	}
	dc := &detachedConn{File: f, local: s.conn.LocalAddr(), remote: s.conn.RemoteAddr()}
	_ = s.conn.Close() // the duplicate holds the socket
	rc, err := f.SyscallConn()
	if err != nil {
		_ = f.Close()
		return fmt.Errorf("stream %d: %w", s.id, err)
	}
	s.conn, s.rc, s.fd = dc, rc, sockopt.FD(dc)

	return nil
}

// halfCloser is a connection whose write side can be shut alone.
type halfCloser interface{ CloseWrite() error }
