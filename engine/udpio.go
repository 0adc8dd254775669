package engine

import (
	"errors"
	"net"
	"syscall"
	"time"

	"github.com/goperf/goperf/sockopt"
)

// datagramIO moves a UDP stream's datagrams in batches. sockopt.Batcher is
// the real one (sendmmsg/recvmmsg with GSO and GRO on Linux); tests may
// put an impaired one in its place.
type datagramIO interface {
	// Send sends bufs as messages and returns how many the kernel took;
	// with segSize > 0 a message holds consecutive datagrams of segSize
	// bytes. It waits while the socket is full; deadlines and Close end it.
	Send(bufs [][]byte, segSize int) (int, error)
	// Recv receives up to len(bufs) messages; sizes[i] is message i's
	// length and segs[i] its datagram size when it holds several (0: one).
	Recv(bufs [][]byte, sizes, segs []int) (int, error)
	// Dropped returns the socket's drop counter (SO_RXQ_OVFL), if known.
	Dropped() (uint32, bool)
	// Offload reports whether GSO and GRO are in effect.
	Offload() (gso, gro bool)
	// Polled is the time receives spent polling an empty socket
	// (udpOptions.Spin).
	Polled() time.Duration
	// Syscalls counts the system calls made so far.
	Syscalls() uint64
}

// udpOptions are the local choices for a UDP stream's I/O.
type udpOptions struct {
	Batch    int           // messages per system call
	GSO, GRO bool          // offloads to ask for
	Discard  bool          // receive headers only, the rest discarded (--skip-rx-copy)
	Spin     time.Duration // a receiver's wait awake before it sleeps (udpSpin)
}

// plainIO sends and receives one datagram per system call through
// net.UDPConn: the path every platform has.
type plainIO struct {
	conn  *net.UDPConn
	calls uint64
}

func (p *plainIO) Send(bufs [][]byte, segSize int) (int, error) {
	for i, b := range bufs {
		for len(b) > 0 {
			n := len(b)
			if segSize > 0 {
				n = min(n, segSize)
			}
			p.calls++
			if _, err := p.conn.Write(b[:n]); err != nil {
				return i, err
			}
			b = b[n:]
		}
	}
	return len(bufs), nil
}

func (p *plainIO) Recv(bufs [][]byte, sizes, segs []int) (int, error) {
	p.calls++
	n, err := p.conn.Read(bufs[0])
	if err != nil {
		return 0, err
	}
	sizes[0], segs[0] = n, 0
	return 1, nil
}

func (p *plainIO) Dropped() (uint32, bool) { return 0, false }
func (p *plainIO) Offload() (bool, bool)   { return false, false }
func (p *plainIO) Syscalls() uint64        { return p.calls }
func (p *plainIO) Polled() time.Duration   { return 0 }

// newDatagramIO returns the I/O for a UDP stream on conn: the batched
// system calls where the platform has them, else one datagram per call.
// blocking says conn is a thread loop's blocking socket (see detach).
func newDatagramIO(conn net.Conn, o udpOptions, blocking bool) (datagramIO, error) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil, errors.New("a UDP stream without a descriptor")
	}
	b, err := sockopt.NewBatcher(sc, sockopt.BatchConfig{Batch: o.Batch, GSO: o.GSO, GRO: o.GRO, Drops: true, Blocking: blocking, Discard: o.Discard, Spin: o.Spin})
	uc, isUDP := conn.(*net.UDPConn)
	switch {
	case errors.Is(err, sockopt.ErrUnsupported) && isUDP && !blocking && !o.Discard:
		return &plainIO{conn: uc}, nil
	case err != nil:
		return nil, err
	}
	return b, nil
}
