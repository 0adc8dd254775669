package engine

import (
	"fmt"
	"net"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/goperf/goperf/sockopt"
)

// stream is one data connection. Its loop goroutine is the only writer of
// its counters; the sampler and the end of the test read them.
type stream struct {
	id     int      // iperf3's stream id: 1, 3, 4, 5, …
	fd     int      // descriptor number, shown as iperf3 shows it
	conn   net.Conn // *net.TCPConn for TCP
	sender bool     // the local side sends on this stream

	buf   []byte // allocated once, before the loop
	pacer *pacer
	// fineTimer: the pacer sleeps the thread (paceFine), not a Go timer
	fineTimer bool
	budget    *budget
	epoch     time.Time     // origin of the pacer's clock
	timer     *time.Timer   // pacing waits; made once when the stream is paced
	passed    time.Time     // when paceFine last passed through the scheduler
	wake      chan struct{} // closed to end a pacing wait

	// How the loop calls the kernel, settled by run.prepare; see ioPath.
	// Raw I/O runs in rc's callbacks, bound once so that a call allocates
	// nothing (rawio.go); a thread loop runs in one Control callback
	// (thread.go). rc is nil where the connection has none.
	path       ioPath
	ownThread  bool            // a thread loop keeps its thread for the test (thread.go)
	spin       sockopt.Spinner // a receiver's poll of its empty socket before it sleeps (DefaultRecvSpin); a UDP one's Batcher keeps its own, from For
	polled     atomic.Int64    // ns a TCP receiver spent polling (recvAwake)
	rc         syscall.RawConn
	writeFn    func(fd uintptr) bool
	readFn     func(fd uintptr) bool
	send       sysCall     // the thread and raw loops' write: plain, blocking, or zero copy (setFast)
	recv       sysCall     // their read: plain, blocking, or discarding
	filled     int         // bytes of the receiver's block read so far (recvblock.go)
	fillBlocks bool        // a read goes on where the last ended, until the block is full
	length     int         // a TCP receiver's: the sender's block, which -k counts
	carry      int         // bytes received past the last whole sender's block
	burst      int         // calls per callback before returning to the runtime
	exit       error       // why a callback ended the loop; read after rc returns
	halt       atomic.Bool // the test stopped the stream: a thread loop returns

	bytes  atomic.Uint64 // payload bytes moved since TEST_RUNNING
	blocks atomic.Uint64 // writes, or read calls, that moved data

	udp  *udpStream // UDP machinery; nil for TCP
	fast            // zero copy, skip rx copy, placement (fastpath.go)
	file *diskFile  // -F: the data comes from or goes to a file; nil otherwise

	asked   sockopt.Options // options requested for the socket
	granted sockopt.Granted // options the kernel reports
	mptcp   bool            // the TCP stream runs Multipath TCP (read before it is detached)
	err     error           // why the loop ended; read after done
	done    chan struct{}   // closed when the loop has returned
}

// newStream wraps conn. The buffer holds one block and, for a sender, its
// payload (fillPayload: random, or iperf3's pattern when repeating); it is
// never reallocated.
func newStream(id int, conn net.Conn, sender bool, length int, repeating bool) *stream {
	s := &stream{
		id:     id,
		conn:   conn,
		sender: sender,
		buf:    make([]byte, length),
		wake:   make(chan struct{}),
		done:   make(chan struct{}),
		fd:     -1,
		fast:   fast{cpu: -1, ranOn: -1},
	}
	if sc, ok := conn.(syscall.Conn); ok {
		s.fd = sockopt.FD(sc)
		if rc, err := sc.SyscallConn(); err == nil {
			s.rc = rc
		}
	}
	if sender {
		fillPayload(s.buf, repeating)
	}
	return s
}

// ioPath is how a stream's loop calls the kernel.
type ioPath int

const (
	pathNetConn ioPath = iota // net.Conn's Read and Write
	pathRaw                   // raw calls in RawConn callbacks, parking in the poller
	pathThread                // a locked OS thread, a blocking socket, plain calls
)

// String names the path as reports and the --io flag do.
func (p ioPath) String() string {
	switch p {
	case pathRaw:
		return "raw"
	case pathThread:
		return "thread"
	}
	return "netconn"
}

// setPath makes p the stream's I/O path, or net.Conn where the connection
// has no RawConn or the platform lacks p.
func (s *stream) setPath(p ioPath) {
	switch {
	case s.rc == nil, p == pathRaw && !sockopt.RawIO, p == pathThread && !sockopt.BlockingIO:
		p = pathNetConn
	}
	s.path = p
	s.send, s.recv = sockopt.WriteRaw, sockopt.ReadRaw
	if p == pathThread {
		s.send, s.recv = sockopt.SendBlocking, sockopt.RecvBlocking
	}
	if p == pathRaw {
		s.burst = max(1, rawBurst/len(s.buf))
		s.writeFn, s.readFn = s.writeLoop, s.readLoop
	}
}

// counters is one reading of a stream's counters. For UDP, packets is the
// datagrams sent, or the highest sequence number received; lost is a
// receiver's running gap count.
type counters struct {
	bytes, blocks, packets uint64
	lost                   int64
}

// read samples the stream's counters.
func (s *stream) read() counters {
	c := counters{bytes: s.bytes.Load(), blocks: s.blocks.Load()}
	switch u := s.udp; {
	case u == nil:
	case s.sender:
		c.packets = u.sent.Load()
	default:
		c.packets, c.lost = u.highest.Load(), u.gapErrors.Load()
	}
	return c
}

// tcpConn returns the stream's TCP connection, or nil.
func (s *stream) tcpConn() *net.TCPConn {
	c, _ := s.conn.(*net.TCPConn)
	return c
}

// count adds one block of n bytes to the stream's counters.
func (s *stream) count(n int) {
	if n > 0 {
		s.bytes.Add(uint64(n))
		s.blocks.Add(1)
	}
}

// streamID returns iperf3's id for the i-th stream (0-based): 1, 3, 4, 5, …
func streamID(i int) int {
	if i == 0 {
		return 1
	}
	return i + 2
}

// prepareTCP sets TCP_NODELAY as asked (Go turns it on by default; iperf3
// leaves it off unless -N) and records the options asked and granted.
func prepareTCP(s *stream, opts sockopt.Options) error {
	if tc := s.tcpConn(); tc != nil {
		if err := tc.SetNoDelay(opts.NoDelay); err != nil {
			return fmt.Errorf("stream %d: TCP_NODELAY: %w", s.id, err)
		}
		s.granted, _ = sockopt.Read(tc) // zeros where unsupported
		s.mptcp, _ = tc.MultipathTCP()
	}
	s.asked = opts
	return nil
}

// congestionOf returns the congestion control of the first TCP stream.
func congestionOf(streams []*stream) string {
	for _, s := range streams {
		if s.granted.Congestion != "" {
			return s.granted.Congestion
		}
	}
	return ""
}
