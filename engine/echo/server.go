package echo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"time"
)

// Server echoes what it receives: each TCP connection in its own
// goroutine with one buffer, each UDP datagram back to its sender.
type Server struct {
	cfg  ServerConfig
	out  io.Writer
	logf func(format string, args ...any)

	ln    net.Listener
	pc    *net.UDPConn
	slots chan struct{} // one per TCP connection being served
	wg    sync.WaitGroup
}

// NewServer returns a server that prints its status lines to out and its
// per-connection failures through logf.
func NewServer(cfg ServerConfig, out io.Writer, logf func(format string, args ...any)) *Server {
	cfg.defaults()
	return &Server{cfg: cfg, out: out, logf: logf, slots: make(chan struct{}, cfg.MaxConns)}
}

// Listen opens the socket and prints the seed's line, such as
// "Listening on [::]:5001 using tcp".
func (s *Server) Listen(ctx context.Context) error {
	var lc net.ListenConfig
	addr := net.JoinHostPort(s.cfg.Bind, strconv.Itoa(s.cfg.Port))
	var err error
	var local net.Addr
	if s.cfg.UDP {
		var pc net.PacketConn
		if pc, err = lc.ListenPacket(ctx, "udp", addr); err == nil {
			s.pc, local = pc.(*net.UDPConn), pc.LocalAddr()
		}
	} else {
		s.ln, err = lc.Listen(ctx, "tcp", addr)
		if err == nil {
			local = s.ln.Addr()
		}
	}
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	fmt.Fprintf(s.out, "Listening on %s using %s\n", local, network(s.cfg.UDP))
	return nil
}

// Addr returns the listening address.
func (s *Server) Addr() net.Addr {
	if s.pc != nil {
		return s.pc.LocalAddr()
	}
	return s.ln.Addr()
}

// Serve echoes until ctx is done, then closes every connection and
// returns once their goroutines have.
func (s *Server) Serve(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		if s.ln != nil {
			s.ln.Close()
		}
		if s.pc != nil {
			s.pc.Close()
		}
	})
	defer stop()
	var err error
	if s.pc != nil {
		err = s.serveUDP()
	} else {
		err = s.serveTCP(ctx)
	}
	s.wg.Wait()
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// serveTCP accepts connections; one beyond the limit is told so and closed.
func (s *Server) serveTCP(ctx context.Context) error {
	var mu sync.Mutex
	conns := map[net.Conn]struct{}{}
	defer func() {
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
	}()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			s.logf("accept: %v", err)
			time.Sleep(10 * time.Millisecond) // out of descriptors: let some close
			continue
		}
		select {
		case s.slots <- struct{}{}:
		default:
			s.refuse(c)
			continue
		}
		mu.Lock()
		conns[c] = struct{}{}
		mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.echoTCP(c)
			mu.Lock()
			delete(conns, c)
			mu.Unlock()
			<-s.slots
		}()
	}
}

// refuse tells a connection beyond the limit why it is closed.
func (s *Server) refuse(c net.Conn) {
	_ = c.SetWriteDeadline(time.Now().Add(time.Second))
	fmt.Fprintf(c, "goecho: server busy: %d connections (--max-conns)\n", s.cfg.MaxConns)
	c.Close()
	s.logf("refused %s: %d connections already", c.RemoteAddr(), s.cfg.MaxConns)
}

// echoTCP writes back what c sends until it closes, fails or idles.
func (s *Server) echoTCP(c net.Conn) {
	defer c.Close()
	buf := make([]byte, s.cfg.Buffer)
	for {
		_ = c.SetReadDeadline(time.Now().Add(s.cfg.IdleTimeout))
		n, err := c.Read(buf)
		if n > 0 {
			_ = c.SetWriteDeadline(time.Now().Add(s.cfg.IdleTimeout))
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return // EOF, a reset, or idle: the connection is done either way
		}
	}
}

// serveUDP echoes each datagram to its sender.
func (s *Server) serveUDP() error {
	buf := make([]byte, 1<<16)
	for {
		n, from, err := s.pc.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			s.logf("udp read: %v", err)
			continue
		}
		if _, err := s.pc.WriteToUDPAddrPort(buf[:n], from); err != nil {
			s.logf("udp echo to %s: %v", from, err)
		}
	}
}
