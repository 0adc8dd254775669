package echo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"time"

	"github.com/goperf/goperf/engine/transport"
	"github.com/goperf/goperf/sockopt"
)

// acceptBackoff is the pause after an accept error such as EMFILE, so the
// loop does not spin while descriptors are short.
const acceptBackoff = 50 * time.Millisecond

// accept hands each connection to its own goroutine, or refuses it.
func (s *Server) accept(ctx context.Context) error {
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			s.out.Log.Error("accept: %v", transport.Cause(err))
			select {
			case <-time.After(acceptBackoff):
				continue
			case <-ctx.Done():
				return nil
			}
		}
		n, ok := s.admit(conn)
		if !ok {
			s.refuse(conn, n)
			continue
		}
		s.wg.Add(1)
		go s.echoConn(conn, n)
	}
}

// admit registers conn unless the server is full or closing; it returns
// the number of connections being echoed.
func (s *Server) admit(conn net.Conn) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.conns)
	if s.closed || n >= s.cfg.MaxConns {
		return n, false
	}
	s.conns[conn] = struct{}{}
	return n + 1, true
}

// release forgets conn and closes it.
func (s *Server) release(conn net.Conn) {
	s.mu.Lock()
	delete(s.conns, conn)
	s.mu.Unlock()
	_ = conn.Close()
}

// refuseTimeout bounds a refusal: the write of its line, and the wait for
// the client to close its side, so that what the client sent meanwhile
// does not turn the close into a reset that discards the line.
const refuseTimeout = time.Second

// maxRefusing caps the refusals in progress; past it a connection is
// closed at once, without the line.
const maxRefusing = 64

// refuse tells a client the server is full, then closes its connection.
func (s *Server) refuse(conn net.Conn, n int) {
	s.out.Log.Verbose("refused %v: %d connections", conn.RemoteAddr(), n)
	select {
	case s.refusing <- struct{}{}:
	default:
		_ = conn.Close()
		return
	}
	s.wg.Go(func() {
		defer func() { <-s.refusing }()
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(refuseTimeout))
		if _, err := fmt.Fprintf(conn, "%s: %d connections (try again later)\n", busyPrefix, n); err != nil {
			return
		}
		_ = conn.(*net.TCPConn).CloseWrite()
		_, _ = io.Copy(io.Discard, conn)
	})
}

// echoConn echoes one connection, the nth being echoed, until the peer
// closes it, it stays idle for the idle timeout, or the server shuts down.
// Its buffer is allocated once; the loop allocates nothing.
func (s *Server) echoConn(conn net.Conn, n int) {
	defer s.wg.Done()
	defer s.release(conn)
	s.out.Log.Verbose("echoing %v", conn.RemoteAddr())
	err := s.echo(conn, s.socket(conn, n), make([]byte, s.cfg.Buffer))
	switch {
	case err == nil, transport.IsGone(err):
		s.out.Log.Verbose("%v closed", conn.RemoteAddr())
	case isTimeout(err):
		s.out.Log.Verbose("%v idle for %v: closed", conn.RemoteAddr(), s.cfg.IdleTimeout)
	default:
		s.out.Log.Error("%v: %v", conn.RemoteAddr(), transport.Cause(err))
	}
}

// socket returns how the nth connection reads and writes: busy-polling
// with raw system calls while it has a CPU to itself (spin.go), else
// through the network poller.
func (s *Server) socket(conn net.Conn, n int) io.ReadWriter {
	if !sockopt.RawIO || s.cfg.Spin < 0 || n >= runtime.GOMAXPROCS(0) {
		return conn
	}
	if sr, err := newSpinConn(conn, s.cfg.Spin); err == nil {
		return sr
	}
	return conn
}

// echo copies what rw reads from conn back to it until EOF or an error.
func (s *Server) echo(conn net.Conn, rw io.ReadWriter, buf []byte) error {
	idle := idleDeadline{set: conn.SetDeadline, period: s.cfg.IdleTimeout}
	if err := idle.arm(); err != nil {
		return err
	}
	for {
		n, err := rw.Read(buf)
		if n > 0 {
			idle.progress()
			if werr := writeAll(rw, buf[:n], &idle); werr != nil {
				return werr
			}
		}
		switch {
		case err == io.EOF:
			return nil // half-closed: everything read was echoed
		case err != nil && !idle.retry(err):
			return err
		}
	}
}

// writeAll writes p, retrying after a deadline that fired while the
// connection still made progress.
func writeAll(w io.Writer, p []byte, idle *idleDeadline) error {
	for {
		n, err := w.Write(p)
		if err == nil {
			return nil
		}
		if n > 0 {
			idle.progress()
		}
		if !idle.retry(err) {
			return err
		}
		p = p[n:]
	}
}
