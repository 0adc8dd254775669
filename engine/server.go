package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/goperf/goperf/engine/transport"
	"github.com/goperf/goperf/engine/wire"
	"github.com/goperf/goperf/sockopt"
)

// Server accepts iperf3 clients, goperf's and stock ones. Unlike iperf3 it
// runs several tests at once: every connection starts with a cookie, which
// either names a test waiting for its data streams or opens a new test.
type Server struct {
	cfg ServerConfig
	out Output
	w   *lineWriter // shared by all tests; each line is written whole

	ln  net.Listener
	udp *udpListener // nil when UDP is not served

	mu       sync.Mutex // protects the fields below
	sessions map[wire.Cookie]*session
	unnamed  map[netip.Addr]int // connections per host that have not sent their cookie yet
	nameless int                // all of them
	caps     unnamedCaps        // how many of them may be held
	budget   int64              // bytes of buffers the tests may hold
	reserved int64              // bytes the running tests hold
	active   int
	tests    int  // tests admitted so far, for numbering
	finished bool // one-off: the single test is over
	account  account

	wg sync.WaitGroup
}

// NewServer returns a server for cfg that reports to out.
func NewServer(cfg ServerConfig, out Output) *Server {
	if cfg.MaxTests <= 0 {
		cfg.MaxTests = DefaultMaxTests
	}
	if cfg.OneOff {
		cfg.MaxTests = 1
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.ControlTimeout <= 0 {
		cfg.ControlTimeout = DefaultControlTimeout
	}
	if cfg.MemoryBudget <= 0 {
		cfg.MemoryBudget = DefaultMemoryBudget()
	}
	w := &lineWriter{w: out.W}
	out.W = w
	return &Server{cfg: cfg, out: out, w: w, sessions: map[wire.Cookie]*session{}, unnamed: map[netip.Addr]int{},
		caps: defaultUnnamedCaps(), budget: cfg.MemoryBudget, account: newAccount()}
}

// Listen opens the listening socket and prints the line users look for.
func (s *Server) Listen(ctx context.Context) error {
	if err := checkCPUs(s.cfg.CPUs, s.cfg.IO); err != nil {
		return err
	}
	lc := net.ListenConfig{Control: sockopt.Options{Device: s.cfg.Device}.Control()}
	lc.SetMultipathTCP(s.cfg.MPTCP)
	ln, err := lc.Listen(ctx, s.cfg.Family.network(TCP), joinHostPort(s.cfg.Bind, s.cfg.Port))
	if err != nil {
		return fmt.Errorf("listen: %w", transport.Short(err))
	}
	s.ln = ln
	switch {
	case s.out.Format != Text:
	case s.out.Iperf3:
		if s.out.Verbose {
			host := thisHost(true)
			fmt.Fprintf(s.w, "%s\n%s\n", host.version, host.system)
		}
		s.banner(1)
	default:
		fmt.Fprintf(s.w, "Listening on %s using TCP\n", ln.Addr())
	}
	if s.cfg.NoUDP {
		return nil
	}
	if err := s.listenUDP(ctx); err != nil {
		_ = ln.Close()
		return err
	}
	return nil
}

// Addr returns the listening address, once Listen succeeded.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Serve accepts connections until ctx is done or, with OneOff, the first
// test ends. It then waits for the tests in progress, which ctx cancels.
func (s *Server) Serve(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { _ = s.ln.Close() })
	defer stop()
	if s.udp != nil {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.udp.serve()
		}()
	}
	err := s.accept(ctx)
	if s.udp != nil {
		_ = s.udp.conn.Close() // the TCP listener is closed: no new tests
	}
	s.wg.Wait()
	return err
}

// accept hands each connection to its own goroutine.
func (s *Server) accept(ctx context.Context) error {
	var seq uint64
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			// EMFILE and friends: back off instead of spinning.
			s.out.Log.Error("accept: %v", err)
			select {
			case <-time.After(50 * time.Millisecond):
				continue
			case <-ctx.Done():
				return nil
			}
		}
		host, ok := s.hold(conn)
		if !ok {
			_ = conn.Close()
			continue
		}
		seq++
		s.wg.Add(1)
		go s.handle(ctx, conn, host, seq)
	}
}

// hold counts conn among the connections that have not sent their
// cookie, unless its host, or all hosts, hold too many already.
func (s *Server) hold(conn net.Conn) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(conn.RemoteAddr().String())
	host := ap.Addr().Unmap()
	if err != nil {
		return host, true // not IP: nothing to count by
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.nameless >= s.caps.total:
		s.drop(ReasonUnnamedCap)
		s.out.Log.Verbose("closed a connection from %v: %d connections have not sent a cookie", host, s.nameless)
		return host, false
	case s.unnamed[host] >= s.caps.perHost:
		s.drop(ReasonUnnamedCap)
		s.out.Log.Verbose("closed a connection from %v: %d connections from it have not sent a cookie", host, s.caps.perHost)
		return host, false
	}
	s.unnamed[host]++
	s.nameless++
	return host, true
}

// named ends the count hold began.
func (s *Server) named(host netip.Addr) {
	if !host.IsValid() {
		return // hold counted nothing
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nameless--
	if s.unnamed[host]--; s.unnamed[host] <= 0 {
		delete(s.unnamed, host)
	}
}

// handle reads a connection's cookie and sends it where it belongs.
func (s *Server) handle(ctx context.Context, conn net.Conn, host netip.Addr, seq uint64) {
	defer s.wg.Done()
	// A connection that never speaks ties up only this goroutine, and only
	// for the control timeout.
	_ = conn.SetReadDeadline(time.Now().Add(s.cfg.ControlTimeout))
	cookie, err := wire.ReadCookie(conn)
	s.named(host)
	if err != nil {
		s.mu.Lock()
		s.drop(ReasonNoCookie)
		s.mu.Unlock()
		s.out.Log.Verbose("connection from %v sent no cookie: %v", conn.RemoteAddr(), err)
		_ = conn.Close()
		return
	}
	_ = conn.SetReadDeadline(time.Time{})
	if s.attach(cookie, conn, seq) {
		return
	}
	ss, why := s.admit(ctx, cookie, conn)
	if ss == nil {
		s.deny(conn, why)
		return
	}
	rec, idle := s.release(ss, ss.execute())
	if idle {
		returnMemory()
	}
	if rec != nil && s.cfg.Observe != nil {
		s.cfg.Observe(rec)
	}
	if s.out.Format == Text && s.out.Iperf3 && !s.cfg.OneOff {
		s.banner(ss.no + 1)
	}
}

// banner is iperf3's server banner, before the first test and after each.
func (s *Server) banner(next int) {
	const rule = "-----------------------------------------------------------"
	fmt.Fprintf(s.w, "%s\nServer listening on %d (test #%d)\n%s\n", rule, s.Addr().(*net.TCPAddr).Port, next, rule)
}

// attach gives conn to the test whose cookie it carries, if any, and
// reports whether conn is taken care of. A test that is not waiting for
// streams, or has all it asked for, refuses it with ACCESS_DENIED.
func (s *Server) attach(cookie wire.Cookie, conn net.Conn, seq uint64) bool {
	s.mu.Lock()
	ss := s.sessions[cookie]
	ok := ss != nil && ss.offer(conn, seq)
	if ss != nil && !ok {
		s.drop(ReasonStrayStream)
	}
	s.mu.Unlock()
	if ss != nil && !ok {
		s.deny(conn, "extra stream for a test that is not accepting streams")
	}
	return ss != nil
}

// admit registers a new test for conn. It returns nil and the reason when
// the server is at its limit or a one-off server has had its test.
func (s *Server) admit(ctx context.Context, cookie wire.Cookie, conn net.Conn) (*session, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.finished:
		s.refuse(ReasonBusy)
		return nil, "one-off server: its test is over"
	case s.active >= s.cfg.MaxTests:
		s.refuse(ReasonBusy)
		return nil, fmt.Sprintf("busy: %d tests running, the limit is %d (--max-clients)", s.active, s.cfg.MaxTests)
	case s.sessions[cookie] != nil:
		s.refuse(ReasonParams)
		return nil, "a test with this cookie is running"
	}
	s.active++
	s.tests++
	ss := newSession(ctx, s, s.tests, cookie, conn)
	s.sessions[cookie] = ss
	return ss, ""
}

// release forgets a finished test, whose serving ended with err, books it
// (settle), and reports whether the server is idle with memory to return.
func (s *Server) release(ss *session, err error) (*TestRecord, bool) {
	s.mu.Lock()
	rec := s.settle(ss, err)
	delete(s.sessions, ss.cookie)
	s.active--
	idle := s.unreserve(ss.memory)
	if s.cfg.OneOff && !ss.authFailed { // as iperf3: a refused login is not the one test
		s.finished = true
		_ = s.ln.Close() // the accept loop returns; tests in progress finish
	}
	s.mu.Unlock()
	return rec, idle
}

// deny answers ACCESS_DENIED and closes conn.
func (s *Server) deny(conn net.Conn, why string) {
	s.out.Log.Error("refused %v: %s", conn.RemoteAddr(), why)
	_ = conn.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = conn.Write([]byte{wire.AccessDenied.Byte()}) // the peer may be gone already
	_ = conn.Close()
}

// lineWriter serialises writes from concurrent tests. Reporters write one
// whole line (or one whole JSON document) per call.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// cpusFor returns the cores spec's stream threads go on: the client's
// server_affinity, else the server's own placement, else none.
func (s *Server) cpusFor(spec *Spec) []int {
	if len(spec.ServerCPUs) > 0 {
		return spec.ServerCPUs
	}
	return s.cfg.CPUs
}
