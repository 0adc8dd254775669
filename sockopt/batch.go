package sockopt

import (
	"errors"
	"syscall"
	"time"
)

// BatchConfig is what a Batcher asks of the kernel.
type BatchConfig struct {
	Batch int  // messages per system call, at least 1
	GSO   bool // let Send hand the kernel several datagrams in one message (UDP_SEGMENT)
	GRO   bool // let the kernel coalesce received datagrams (UDP_GRO)
	Drops bool // count datagrams the socket dropped for want of room (SO_RXQ_OVFL)
	// Blocking: the socket is in blocking mode with a send and receive
	// timeout (DupBlocking), for a goroutine that may sleep in the kernel.
	// Send and Recv then call the kernel directly instead of waiting in
	// Go's poller; a sleep that the timeout or a signal ends returns
	// (0, nil), and Recv returns io.EOF once the socket is shut down
	// (Shutdown). Linux only.
	Blocking bool
	// Discard receives with MSG_TRUNC: the kernel copies only as much of
	// a datagram as the buffer holds and reports the datagram's whole
	// size, so a receiver that reads headers only copies headers only.
	// GRO is off with it, since a coalesced message's later headers would
	// be discarded too.
	Discard bool
	// Spin: in blocking mode, a Recv that finds the socket empty tries
	// again without sleeping for up to Spin before it sleeps, so that a
	// receiver with a core to itself takes the next datagrams awake and
	// the sender does not pay for waking it, as long as such polls find
	// datagrams (Spinner). 0: sleep at once.
	Spin time.Duration
}

// A Batcher moves datagrams on a connected UDP socket many per system call:
// sendmmsg(2) and recvmmsg(2) on Linux, with UDP generic segmentation and
// receive offload where the kernel has them. Each offload asked for and not
// available is simply off; Offload says which are on. Buffers and message
// headers are allocated by NewBatcher; Send and Recv allocate nothing.
//
// A Batcher is used by one goroutine at a time for sending and one for
// receiving. The socket's deadlines and Close end a waiting Send or Recv,
// as for any net.Conn; in blocking mode Shutdown and the socket's timeout
// do (BatchConfig.Blocking).
type Batcher struct {
	sys *batchSys
}

// NewBatcher prepares conn for batched I/O. Where batched system calls do
// not exist it returns an error that wraps ErrUnsupported.
func NewBatcher(conn syscall.Conn, cfg BatchConfig) (*Batcher, error) {
	if cfg.Batch < 1 {
		cfg.Batch = 1
	}
	sys, err := newBatchSys(conn, cfg)
	if err != nil {
		return nil, err
	}
	return &Batcher{sys: sys}, nil
}

// Send sends bufs, one message each, and returns how many messages the
// kernel took; it waits while the socket buffer is full. With segSize > 0
// and GSO on, a message longer than segSize is sent as consecutive
// datagrams of segSize bytes (the last may be shorter). A path that cannot
// segment refuses such a send only when it is made (EIO: a device without
// checksum offload, IPsec): Send then turns GSO off for good and returns
// an error that wraps ErrGSODisabled, and so does any later Send with
// segSize > 0; send the datagrams one per message then. len(bufs) may
// exceed the batch: Send takes at most one batch.
func (b *Batcher) Send(bufs [][]byte, segSize int) (int, error) {
	return b.sys.send(bufs, segSize)
}

// Recv receives up to len(bufs) messages, at most one batch, waiting for
// the first. sizes[i] is the length of message i; with GRO a message may
// hold several datagrams, and segs[i] is then their size (the last may be
// shorter), else 0. A datagram longer than its buffer is truncated, and its
// size is reported as len(bufs[i])+1 so that callers can tell.
func (b *Batcher) Recv(bufs [][]byte, sizes, segs []int) (int, error) {
	return b.sys.recv(bufs, sizes, segs)
}

// Dropped returns the socket's count of datagrams dropped because its
// receive buffer was full, and whether the kernel reports it (BatchConfig.
// Drops asked for it). One goroutine at a time may call it.
func (b *Batcher) Dropped() (uint32, bool) { return b.sys.dropped() }

// ErrGSODisabled reports a send with segmentation on a Batcher whose GSO
// the path refused.
var ErrGSODisabled = errors.New("UDP GSO refused by the path: off for this socket")

// Offload reports whether UDP GSO and GRO are in effect.
func (b *Batcher) Offload() (gso, gro bool) { return b.sys.offload() }

// Polled returns the time Recv spent polling an empty socket
// (BatchConfig.Spin). Any goroutine may call it.
func (b *Batcher) Polled() time.Duration { return b.sys.polledTime() }

// Syscalls returns the number of send and receive system calls made,
// including those that found the socket full or empty.
func (b *Batcher) Syscalls() uint64 { return b.sys.syscalls() }
