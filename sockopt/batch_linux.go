//go:build !goperf_portable

package sockopt

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Control-message space per message: UDP_SEGMENT's uint16 on the way out;
// UDP_GRO's int and SO_RXQ_OVFL's uint32 on the way in.
var (
	sendOOB = unix.CmsgSpace(2)
	recvOOB = unix.CmsgSpace(4) + unix.CmsgSpace(4)
)

// batchSys is the Linux Batcher: message headers, I/O vectors and control
// buffers for one batch each way, made once, and the callbacks handed to
// syscall.RawConn, bound once so that calls allocate nothing.
type batchSys struct {
	rc         syscall.RawConn
	gro, drops bool
	blocking   bool
	spin       Spinner      // BatchConfig.Spin
	polled     atomic.Int64 // ns spent polling an empty socket (spin)
	recvFlags  uintptr      // MSG_TRUNC for Discard
	gso        atomic.Bool  // off for good once the path refused a GSO send
	calls      atomic.Uint64
	lastDrops  atomic.Uint32

	out    half
	in     half
	sendFn func(fd uintptr) bool
	recvFn func(fd uintptr) bool
	// Blocking mode: the calls, made in Control callbacks.
	sendCtl, recvCtl func(fd uintptr)

	meminfo   [skMeminfoVars]uint32 // SO_MEMINFO's answer, for dropsFn
	meminfoOK bool
	dropsFn   func(fd uintptr)
}

// SO_MEMINFO's array, from linux/sock_diag.h.
const (
	skMeminfoDrops = 8
	skMeminfoVars  = 9
)

// half is one direction's batch and the result of its last system call.
type half struct {
	msgs  []unix.Mmsghdr
	iovs  []unix.Iovec
	oob   []byte
	space int // control bytes per message
	k     int // messages handed to the call
	n     int
	errno syscall.Errno
}

func newHalf(batch, space int) half {
	h := half{
		msgs:  make([]unix.Mmsghdr, batch),
		iovs:  make([]unix.Iovec, batch),
		oob:   make([]byte, batch*space),
		space: space,
	}
	for i := range h.msgs {
		h.msgs[i].Hdr.Iov = &h.iovs[i]
		h.msgs[i].Hdr.SetIovlen(1)
	}
	return h
}

func newBatchSys(conn syscall.Conn, cfg BatchConfig) (*batchSys, error) {
	rc, err := conn.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("batched UDP I/O: %w", err)
	}
	b := &batchSys{rc: rc, blocking: cfg.Blocking, spin: Spinner{For: cfg.Spin}, out: newHalf(cfg.Batch, sendOOB), in: newHalf(cfg.Batch, recvOOB)}
	if cfg.Discard {
		b.recvFlags, cfg.GRO = unix.MSG_TRUNC, false
	}
	err = rc.Control(func(fd uintptr) {
		s := int(fd)
		// Asking for the segment size tells whether the kernel has UDP GSO
		// (4.18) without changing anything.
		_, gsoErr := unix.GetsockoptInt(s, unix.SOL_UDP, unix.UDP_SEGMENT)
		b.gso.Store(cfg.GSO && gsoErr == nil)
		b.gro = cfg.GRO && unix.SetsockoptInt(s, unix.SOL_UDP, unix.UDP_GRO, 1) == nil
		b.drops = cfg.Drops && unix.SetsockoptInt(s, unix.SOL_SOCKET, unix.SO_RXQ_OVFL, 1) == nil
	})
	if err != nil {
		return nil, fmt.Errorf("batched UDP I/O: %w", err)
	}
	for i := range cfg.Batch {
		putCmsg(b.out.oob[i*sendOOB:], unix.SOL_UDP, unix.UDP_SEGMENT, 2)
	}
	b.sendFn, b.recvFn, b.dropsFn = b.sendmmsg, b.recvmmsg, b.readMeminfo
	b.sendCtl, b.recvCtl = b.sendmmsgBlocking, b.recvmmsgBlocking
	return b, nil
}

func (b *batchSys) send(bufs [][]byte, segSize int) (int, error) {
	if segSize > 0 && !b.gso.Load() {
		return 0, fmt.Errorf("sendmmsg: segment size %d without GSO: %w", segSize, ErrGSODisabled)
	}
	h := &b.out
	h.k = min(len(bufs), len(h.msgs))
	for i, p := range bufs[:h.k] {
		m := &h.msgs[i].Hdr
		setIov(&h.iovs[i], p)
		m.Control, m.Controllen = nil, 0
		if segSize > 0 && len(p) > segSize {
			c := h.oob[i*h.space : (i+1)*h.space]
			*(*uint16)(unsafe.Pointer(&c[unix.CmsgLen(0)])) = uint16(segSize)
			m.Control = &c[0]
			m.SetControllen(len(c))
		}
	}
	n, err := b.do(h, b.rc.Write, b.sendFn, b.sendCtl, "sendmmsg")
	if segSize > 0 && errors.Is(err, unix.EIO) {
		// The device cannot segment (no checksum offload, IPsec): the
		// kernel says so only now. Off for good, as quic-go and
		// wireguard-go do; the caller sends the datagrams one by one.
		b.gso.Store(false)
		err = fmt.Errorf("%w (%w)", ErrGSODisabled, err)
	}
	return n, err
}

func (b *batchSys) recv(bufs [][]byte, sizes, segs []int) (int, error) {
	h := &b.in
	h.k = min(len(bufs), len(h.msgs))
	for i, p := range bufs[:h.k] {
		mm := &h.msgs[i]
		setIov(&h.iovs[i], p)
		mm.Len, mm.Hdr.Flags = 0, 0
		mm.Hdr.Control = &h.oob[i*h.space]
		mm.Hdr.SetControllen(h.space)
	}
	n, err := b.do(h, b.rc.Read, b.recvFn, b.recvCtl, "recvmmsg")
	for i := range n {
		mm := &h.msgs[i]
		sizes[i], segs[i] = int(mm.Len), 0
		if mm.Hdr.Flags&unix.MSG_TRUNC != 0 && b.recvFlags == 0 {
			sizes[i] = len(bufs[i]) + 1
		}
		b.parseRecvOOB(h.oob[i*h.space:][:mm.Hdr.Controllen], &segs[i])
	}
	return n, err
}

// do makes one direction's call: in blocking mode ctl in a Control
// callback (callBlocking), else fn through wait (call).
func (b *batchSys) do(h *half, wait func(func(uintptr) bool) error, fn func(uintptr) bool, ctl func(uintptr), op string) (int, error) {
	if b.blocking {
		return b.callBlocking(h, ctl, op)
	}
	return b.call(h, wait, fn, op)
}

// call runs fn through the RawConn's Read or Write, which waits for the
// socket to be ready whenever fn reports EAGAIN, and honours deadlines and
// Close.
func (b *batchSys) call(h *half, wait func(func(uintptr) bool) error, fn func(uintptr) bool, op string) (int, error) {
	if h.k == 0 {
		return 0, nil
	}
	if err := wait(fn); err != nil {
		return 0, err
	}
	if h.errno != 0 {
		return 0, os.NewSyscallError(op, h.errno)
	}
	return h.n, nil
}

// sendmmsg and recvmmsg are the RawConn callbacks. The socket is
// non-blocking, so a call never sleeps: like ReadRaw they skip the
// runtime's system call bookkeeping.
func (b *batchSys) sendmmsg(fd uintptr) bool { return b.mmsg(fd, &b.out, unix.SYS_SENDMMSG, 0) }
func (b *batchSys) recvmmsg(fd uintptr) bool {
	return b.mmsg(fd, &b.in, unix.SYS_RECVMMSG, b.recvFlags)
}

func (b *batchSys) mmsg(fd uintptr, h *half, trap, flags uintptr) bool {
	b.calls.Add(1)
	r, _, e := unix.RawSyscall6(trap, fd, uintptr(unsafe.Pointer(&h.msgs[0])), uintptr(h.k), flags, 0, 0)
	if e == unix.EAGAIN || e == unix.EINTR {
		return false
	}
	h.n, h.errno = int(r), e
	if e != 0 {
		h.n = 0
	}
	return true
}

// callBlocking makes a blocking call through fn, which holds the
// descriptor while the call may sleep. The socket's timeout or a signal
// ends a sleep with nothing moved: (0, nil). A receive that returns no
// message means the socket was shut down: io.EOF.
func (b *batchSys) callBlocking(h *half, fn func(uintptr), op string) (int, error) {
	if h.k == 0 {
		return 0, nil
	}
	if err := b.rc.Control(fn); err != nil {
		return 0, err
	}
	switch {
	case h.errno == unix.EAGAIN || h.errno == unix.EINTR:
		return 0, nil
	case h.errno != 0:
		return 0, os.NewSyscallError(op, h.errno)
	case h.n == 0 && h == &b.in:
		return 0, io.EOF
	}
	return h.n, nil
}

// sendmmsgBlocking and recvmmsgBlocking are the blocking calls. They are
// raw, and may sleep until the socket's timeout: see SendBlocking for why
// that is safe. A receive waits for the first message only
// (MSG_WAITFORONE) and takes what else is queued.
func (b *batchSys) sendmmsgBlocking(fd uintptr) { b.mmsgBlocking(fd, &b.out, unix.SYS_SENDMMSG, 0) }
func (b *batchSys) recvmmsgBlocking(fd uintptr) {
	if b.spin.For > 0 && b.spinRecv(fd) {
		return
	}
	b.mmsgBlocking(fd, &b.in, unix.SYS_RECVMMSG, unix.MSG_WAITFORONE|b.recvFlags)
}

// spinRecv receives without sleeping, again and again for up to
// b.spin.For while the socket is empty (unless b.spin skips the poll), and
// reports whether a call ended otherwise: with messages, at the socket's
// shutdown, or failing.
func (b *batchSys) spinRecv(fd uintptr) bool {
	polled, empty := b.spin.poll(func() bool {
		b.mmsgBlocking(fd, &b.in, unix.SYS_RECVMMSG, unix.MSG_DONTWAIT|b.recvFlags)
		return b.in.errno == unix.EAGAIN
	})
	b.polled.Add(int64(polled))
	return !empty
}

func (b *batchSys) mmsgBlocking(fd uintptr, h *half, trap, flags uintptr) {
	b.calls.Add(1)
	r, _, e := unix.RawSyscall6(trap, fd, uintptr(unsafe.Pointer(&h.msgs[0])), uintptr(h.k), flags, 0, 0)
	h.n, h.errno = int(r), e
	if e != 0 {
		h.n = 0
	}
}

// parseRecvOOB reads a received message's segment size and the socket's
// drop counter from its control messages.
func (b *batchSys) parseRecvOOB(oob []byte, seg *int) {
	for c := cmsgs(oob); ; {
		level, typ, data, rest, ok := c.next()
		if !ok {
			return
		}
		switch {
		case level == unix.SOL_UDP && typ == unix.UDP_GRO && len(data) >= 4:
			*seg = int(*(*int32)(unsafe.Pointer(&data[0])))
		case level == unix.SOL_SOCKET && typ == unix.SO_RXQ_OVFL && len(data) >= 4:
			b.lastDrops.Store(*(*uint32)(unsafe.Pointer(&data[0])))
		}
		c = rest
	}
}

func setIov(v *unix.Iovec, p []byte) {
	v.Base = nil
	if len(p) > 0 {
		v.Base = &p[0]
	}
	v.SetLen(len(p))
}

// dropped reads the socket's drop counter with SO_MEMINFO, which is exact
// at any moment. SO_RXQ_OVFL's count, which arrives with the next datagram
// after a drop, stands in where SO_MEMINFO is missing (before Linux 4.6).
// It must not run concurrently with itself.
func (b *batchSys) dropped() (uint32, bool) {
	if b.drops && b.rc.Control(b.dropsFn) == nil && b.meminfoOK {
		return b.meminfo[skMeminfoDrops], true
	}
	return b.lastDrops.Load(), b.drops
}

func (b *batchSys) readMeminfo(fd uintptr) {
	size := uint32(unsafe.Sizeof(b.meminfo))
	_, _, e := unix.RawSyscall6(unix.SYS_GETSOCKOPT, fd, unix.SOL_SOCKET, unix.SO_MEMINFO,
		uintptr(unsafe.Pointer(&b.meminfo[0])), uintptr(unsafe.Pointer(&size)), 0)
	b.meminfoOK = e == 0 && size > skMeminfoDrops*4
}

func (b *batchSys) offload() (bool, bool) { return b.gso.Load(), b.gro }
func (b *batchSys) syscalls() uint64      { return b.calls.Load() }
func (b *batchSys) polledTime() time.Duration {
	return time.Duration(b.polled.Load())
}
