package engine

import (
	"errors"
	"math"
	"net"
	"sync/atomic"
	"time"

	"github.com/goperf/goperf/engine/wire"
	"github.com/goperf/goperf/sockopt"
)

// UDP limits of one message, as the kernel's UDP GSO takes them.
const (
	maxGSOSegments = 64
	maxGSOBytes    = 65507
)

// udpStream is a stream's UDP machinery. Its loop goroutine is the only
// writer; the sampler reads the atomics.
type udpStream struct {
	io     datagramIO
	wide   bool // 64-bit sequence numbers
	length int  // bytes per datagram
	epoch  time.Time

	// Sender: messages of perMsg datagrams each (GSO segments, or 1).
	msgs   [][]byte
	out    [][]byte // the current batch: slices of msgs
	perMsg int
	seg    int       // Send's segSize: length with GSO, else 0
	one    [1][]byte // a message of one datagram, when GSO falls back
	seq    uint64    // last sequence number sent
	sent   atomic.Uint64

	// Receiver.
	bufs        [][]byte
	sizes, segs []int
	acct        *udpAccount
	buffers     uint64 // messages received, several datagrams each with GRO
	datagrams   uint64 // datagrams in them, strays excluded
	omitEnd     time.Time
	omitDone    bool
	highest     atomic.Uint64
	gapErrors   atomic.Int64
	jitterBits  atomic.Uint64
	outOfOrder  atomic.Uint64
	blocked     time.Duration // paced sender: time in sends that waited (timeBlocked)
	// dropsEnd is the counter when the run closed the socket (holdDrops),
	// read then because a closed socket has none to read.
	dropsEnd   uint32
	dropsEndOK bool
	dropsHeld  bool
	trunc      bool // --skip-rx-copy: bufs hold headers only, sizes the datagrams'
}

// discardLength is what a receiver that skips the copy reads of each
// datagram: the longest header (64-bit counters).
const discardLength = 16

// newUDPStream prepares conn for one direction of a UDP test. Buffers are
// allocated here, once.
func newUDPStream(dio datagramIO, sender bool, sp *Spec, opts udpOptions) *udpStream {
	u := &udpStream{io: dio, wide: sp.UDP64Bit, length: sp.Length, epoch: time.Now()}
	batch := max(opts.Batch, 1)
	gso, gro := dio.Offload()
	if sender {
		u.perMsg = 1
		if gso {
			u.perMsg = max(1, min(maxGSOSegments, maxGSOBytes/sp.Length))
			u.seg = sp.Length
		}
		u.msgs, u.out = make([][]byte, batch), make([][]byte, batch)
		for i := range u.msgs {
			u.msgs[i] = make([]byte, u.perMsg*sp.Length)
			fillPayload(u.msgs[i], sp.RepeatingPayload)
		}
		return u
	}
	size := sp.Length
	switch {
	case opts.Discard:
		size, u.trunc = min(size, discardLength), true
	case gro:
		size = 65535
		batch = min(batch, 8) // 64 KiB a message: keep a stream's buffers near 512 KiB
	}
	u.bufs, u.sizes, u.segs = make([][]byte, batch), make([]int, batch), make([]int, batch)
	for i := range u.bufs {
		u.bufs[i] = make([]byte, size)
	}
	u.acct = newUDPAccount()
	return u
}

// capacity is how many datagrams one batch can hold.
func (u *udpStream) capacity() int { return len(u.msgs) * u.perMsg }

// fill numbers n datagrams and stamps them with now, into as many messages
// as they need, and returns the message count; u.out holds them.
func (u *udpStream) fill(n int, now time.Duration) int {
	h := wire.UDPHeader{Sec: uint32(now / time.Second), Usec: uint32(now % time.Second / time.Microsecond)}
	m := 0
	for d := 0; d < n; m++ {
		k := min(u.perMsg, n-d)
		buf := u.msgs[m][:k*u.length]
		for i := range k {
			u.seq++
			h.Seq = u.seq
			h.Put(buf[i*u.length:], u.wide)
		}
		u.out[m] = buf
		d += k
	}
	return m
}

// sendUDP sends datagrams until the test stops the stream (a past write
// deadline or Close), the budget runs out, or a send fails.
func (s *stream) sendUDP() error {
	if s.pacer != nil {
		s.timer = time.NewTimer(time.Hour)
		s.timer.Stop()
	}
	y := newYielder(s.udp.capacity() * s.udp.length)
	for !s.halt.Load() {
		if spent, err := s.udpSendStep(); spent || err != nil {
			return err
		}
		if s.path == pathThread {
			y.tick()
		}
	}
	return nil
}

// udpSendStep waits for the pacer, then sends one batch of datagrams. It
// reports whether the budget is used up.
func (s *stream) udpSendStep() (spent bool, err error) {
	u := s.udp
	n := u.capacity()
	if s.pacer != nil {
		wake := pacerTick
		if s.fineTimer {
			wake = udpWake
		}
		want := min(n, s.pacer.perWake(u.length, wake))
		if err := s.pace(want * u.length); err != nil {
			return false, err
		}
		n = min(n, max(want, int(s.pacer.available(time.Since(s.epoch))/float64(u.length))))
	}
	m := u.fill(n, time.Since(u.epoch))
	if s.pacer != nil {
		defer s.timeBlocked(time.Now())
	}
	for done := 0; done < m; {
		k, err := u.io.Send(u.out[done:m], u.seg)
		if s.countSent(u.out[done : done+k]) {
			return true, nil
		}
		done += k
		switch {
		case errors.Is(err, sockopt.ErrGSODisabled):
			return s.sendWithoutGSO(u.out[done:m])
		case err != nil:
			return false, err
		case k == 0 && s.halt.Load():
			// A blocking send that the socket's timeout ended, and the
			// test stopped the stream: what was not sent was not counted.
			return false, errStopped
		}
	}
	return false, nil
}

// timeBlocked counts, for a paced UDP sender, a batch's sends that took
// longer than a wake-up (udpWake) as time blocked on a full socket buffer:
// the path or a qdisc pushing back, which the verdict tells apart from a
// sender that woke late.
func (s *stream) timeBlocked(start time.Time) {
	if d := time.Since(start); d > udpWake {
		s.udp.blocked += d
	}
}

// sendWithoutGSO sends msgs, whose datagrams the path refused to have
// segmented, one datagram per message, and from now on makes every batch
// so. It reports whether the budget is used up.
func (s *stream) sendWithoutGSO(msgs [][]byte) (bool, error) {
	u := s.udp
	u.perMsg, u.seg = 1, 0
	for _, m := range msgs {
		for off := 0; off < len(m); off += u.length {
			u.one[0] = m[off : off+u.length]
			for {
				k, err := u.io.Send(u.one[:], 0)
				if k == 1 {
					if s.countSent(u.one[:]) {
						return true, nil
					}
					break
				}
				switch {
				case err != nil:
					return false, err
				case s.halt.Load():
					return false, errStopped
				}
			}
		}
	}
	return false, nil
}

// countSent counts the datagrams of the messages the kernel took, and
// reports whether the budget is used up.
func (s *stream) countSent(msgs [][]byte) bool {
	u := s.udp
	spent := false
	for _, m := range msgs {
		d := len(m) / u.length
		s.bytes.Add(uint64(len(m)))
		s.blocks.Add(uint64(d))
		u.sent.Add(uint64(d))
		if s.pacer != nil {
			s.pacer.sent(time.Since(s.epoch), len(m))
		}
		if s.budget != nil {
			for range d {
				spent = s.budget.spend(true, u.length) || spent
			}
		}
	}
	return spent
}

// recvUDP receives datagrams until the test stops the stream (a past read
// deadline or Close) or a receive fails.
func (s *stream) recvUDP() error {
	y := newYielder(len(s.udp.bufs) * len(s.udp.bufs[0]))
	for !s.halt.Load() {
		if err := s.udpRecvStep(); err != nil {
			return err
		}
		if s.path == pathThread {
			y.tick()
		}
	}
	return nil
}

// udpRecvStep receives and accounts for one batch of messages.
func (s *stream) udpRecvStep() error {
	u := s.udp
	n, err := u.io.Recv(u.bufs, u.sizes, u.segs)
	if n > 0 {
		s.received(n)
	}
	return err
}

// received accounts for n messages just read.
func (s *stream) received(n int) {
	u := s.udp
	now := time.Now()
	if !u.omitDone && !u.omitEnd.IsZero() && !now.Before(u.omitEnd) {
		u.acct.omitEnds()
		u.omitDone = true
	}
	arrival := now.Sub(u.epoch).Seconds()
	var bytes, count uint64
	for i := range n {
		b, seg := u.bufs[i][:min(u.sizes[i], len(u.bufs[i]))], u.segs[i]
		if seg == 0 {
			seg = len(b)
		}
		for len(b) > 0 {
			d := b[:min(seg, len(b))]
			b = b[len(d):]
			size := len(d)
			if u.trunc {
				size = u.sizes[i] // the kernel kept the header and discarded the rest
			}
			if size != u.length {
				if isConnect(d) && !s.sender {
					// The client lost our reply and asks again; the kernel
					// gives the repeat to this connected socket.
					_, _ = s.conn.Write(wire.UDPReply[:])
				}
				continue // or a stranger's datagram
			}
			h, _ := wire.ParseUDPHeader(d, u.wide)
			u.acct.add(u.unwrap(h.Seq), size, float64(h.Sec)+float64(h.Usec)/1e6, arrival)
			bytes += uint64(size)
			count++
		}
	}
	s.bytes.Add(bytes)
	s.blocks.Add(count)
	u.buffers += uint64(n)
	u.datagrams += count
	u.publish()
	if s.budget != nil && count > 0 {
		for range count {
			if s.budget.spend(false, u.length) {
				s.budget = nil
				break
			}
		}
	}
}

// unwrap extends a 32-bit sequence number to 64 bits near the highest one
// seen, so a long test at a high rate survives the counter's wrap.
func (u *udpStream) unwrap(seq uint64) uint64 {
	if u.wide {
		return seq
	}
	hi := u.acct.highest
	c := hi&^0xffffffff | seq&0xffffffff
	switch {
	case c+1<<31 < hi:
		c += 1 << 32
	case c > hi+1<<31 && c >= 1<<32:
		c -= 1 << 32
	}
	return c
}

// publish copies the receiver's figures where the sampler reads them.
func (u *udpStream) publish() {
	a := u.acct
	u.highest.Store(a.highest)
	u.gapErrors.Store(a.gapErrors)
	u.jitterBits.Store(math.Float64bits(a.jitter))
	u.outOfOrder.Store(a.outOfOrder)
}

// socketDrops returns the datagrams the receiving socket dropped, if the
// kernel tells. The socket is the test's from its making, so all of its
// count is the test's: a receiver's run may begin after its sender's (a
// -R client's does), and a count from then missed the first overflows,
// booked as path loss (in 8 of 12 -R runs at -w 64K, 80 to 4,358
// datagrams). The kernel counts buffers: with GRO one may hold many
// datagrams, so the count is scaled by the datagrams per buffer that
// arrived, and is an estimate. The stream's goroutine must be done.
func (u *udpStream) socketDrops() (drops int64, estimated, ok bool) {
	d, ok := u.dropsEnd, u.dropsEndOK
	if !u.dropsHeld {
		d, ok = u.io.Dropped()
	}
	if !ok {
		return 0, false, false
	}
	drops = int64(d)
	if _, gro := u.io.Offload(); gro && u.buffers > 0 {
		perBuffer := float64(u.datagrams) / float64(u.buffers)
		return int64(math.Round(float64(drops) * perBuffer)), true, true
	}
	return drops, false, true
}

// holdDrops reads a receiver's drop counter before the run closes the
// socket. After the close only the count the last datagram carried
// (SO_RXQ_OVFL) is left, which misses the drops after it: read then, a
// server's split booked up to 8,682 of 510,324 socket drops as path loss
// (issue 17, -w 64K across a veth pair, against the namespace's
// UdpRcvbufErrors). The loop may still run: only socketDrops, later, also
// reads the counter.
func (u *udpStream) holdDrops() {
	if u.acct == nil || u.dropsHeld {
		return
	}
	u.dropsEnd, u.dropsEndOK = u.io.Dropped()
	u.dropsHeld = true
}

// udpConn returns the stream's UDP connection, or nil.
func (s *stream) udpConn() *net.UDPConn {
	c, _ := s.conn.(*net.UDPConn)
	return c
}
