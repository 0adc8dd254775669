package echo

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/goperf/goperf/engine/output"
	"github.com/goperf/goperf/engine/transport"
)

// Server echoes TCP connections or UDP datagrams until its context ends.
type Server struct {
	cfg ServerConfig
	out output.Output

	ln net.Listener // TCP
	pc *net.UDPConn // UDP

	mu     sync.Mutex // protects the fields below
	conns  map[net.Conn]struct{}
	closed bool // no connection is admitted any more

	refusing chan struct{} // a slot per refusal in progress

	echoes, refusals atomic.Uint64 // UDP datagrams echoed, and not

	wg sync.WaitGroup
}

// NewServer returns a server for cfg that reports to out.
func NewServer(cfg ServerConfig, out output.Output) *Server {
	cfg.defaults()
	return &Server{cfg: cfg, out: out, conns: map[net.Conn]struct{}{}, refusing: make(chan struct{}, maxRefusing)}
}

// Listen opens the socket and prints the seed's line,
// "Listening on [::]:5001 using tcp".
func (s *Server) Listen(ctx context.Context) error {
	lc := net.ListenConfig{Control: windowOptions(s.cfg.Window).Control()}
	addr := net.JoinHostPort(s.cfg.Bind, strconv.Itoa(s.cfg.Port))
	var err error
	if s.cfg.Proto == UDP {
		var pc net.PacketConn
		pc, err = lc.ListenPacket(ctx, network(UDP), addr)
		if err == nil {
			s.pc = pc.(*net.UDPConn)
		}
	} else {
		s.ln, err = lc.Listen(ctx, network(TCP), addr)
	}
	if err != nil {
		return fmt.Errorf("listen: %w", transport.Cause(err))
	}
	if s.out.Format == output.Text {
		fmt.Fprintf(s.out.W, "Listening on %s using %s\n", s.Addr(), network(s.cfg.Proto))
	}
	return nil
}

// Addr returns the listening address, once Listen succeeded.
func (s *Server) Addr() net.Addr {
	if s.pc != nil {
		return s.pc.LocalAddr()
	}
	return s.ln.Addr()
}

// Serve echoes until ctx is done, then closes every connection and
// returns when their goroutines have ended.
func (s *Server) Serve(ctx context.Context) error {
	stop := context.AfterFunc(ctx, s.shutdown)
	defer stop()
	defer s.wg.Wait()
	if s.pc != nil {
		return s.serveUDP()
	}
	return s.accept(ctx)
}

// shutdown closes the socket and every connection.
func (s *Server) shutdown() {
	if s.pc != nil {
		_ = s.pc.Close()
		return
	}
	_ = s.ln.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for c := range s.conns {
		_ = c.Close()
	}
}

// Conns returns the number of TCP connections being echoed.
func (s *Server) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}
