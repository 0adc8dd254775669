package engine

import "math"

// udpWindow is how many recent sequence numbers a receiver remembers, to
// tell a duplicate from a late datagram. A datagram older than that is
// counted late, and lost, since it cannot be told apart.
const udpWindow = 1 << 18

// udpAccount is a UDP receiver's bookkeeping for one stream. One goroutine
// owns it; the stream publishes its figures for the sampler after each
// batch.
//
// Sequence numbers start at 1 and are contiguous at the sender, so the
// count the sender sent after any boundary is its total minus the
// boundary. That is what makes the end result exact: the receiver counts
// the distinct datagrams it got after its boundary, and once the peer's
// total is known, lost = (total − boundary) − received.
type udpAccount struct {
	highest    uint64 // highest sequence number seen (iperf3's packet_count)
	boundary   uint64 // datagrams at or below it belong to the omit period
	received   uint64 // distinct datagrams above the boundary
	bytes      uint64 // their bytes
	outOfOrder uint64 // arrived after a higher sequence number
	duplicates uint64 // arrived again
	late       uint64 // too old to check; counted as lost
	gapErrors  int64  // iperf3's running loss estimate (cnt_error)

	jitter      float64 // seconds, RFC 1889 smoothing as iperf3
	prevTransit float64
	haveTransit bool

	seen []uint64 // bitmap of the last udpWindow sequence numbers
}

func newUDPAccount() *udpAccount {
	return &udpAccount{seen: make([]uint64, udpWindow/64)}
}

// add counts one datagram of size bytes with sequence number seq, sent at
// sentAt and received at arrival (seconds, each on its own end's clock).
func (u *udpAccount) add(seq uint64, size int, sentAt, arrival float64) {
	switch {
	case seq == 0:
		return // not a data datagram (a stray connect message)
	case seq > u.highest:
		u.advance(seq)
	case u.highest-seq >= udpWindow:
		u.late++
		return
	case u.isSeen(seq):
		u.duplicates++
		return
	default:
		u.outOfOrder++
		if u.gapErrors > 0 {
			u.gapErrors--
		}
	}
	u.mark(seq)
	if seq > u.boundary {
		u.received++
		u.bytes += uint64(size)
	}
	u.transit(arrival - sentAt)
}

// advance moves the window up to seq, forgetting what falls out of it, and
// counts the gap as iperf3 does.
func (u *udpAccount) advance(seq uint64) {
	u.gapErrors += int64(seq - u.highest - 1)
	if seq-u.highest >= udpWindow {
		clear(u.seen)
	} else {
		for s := u.highest + 1; s <= seq; s++ {
			u.seen[(s%udpWindow)/64] &^= 1 << (s % 64)
		}
	}
	u.highest = seq
}

func (u *udpAccount) isSeen(seq uint64) bool {
	return u.seen[(seq%udpWindow)/64]&(1<<(seq%64)) != 0
}

func (u *udpAccount) mark(seq uint64) {
	u.seen[(seq%udpWindow)/64] |= 1 << (seq % 64)
}

// transit folds one transit time into the jitter estimate: iperf3's
// J += (|D| − J) / 16 over successive transit differences.
func (u *udpAccount) transit(t float64) {
	if u.haveTransit {
		u.jitter += (math.Abs(t-u.prevTransit) - u.jitter) / 16
	}
	u.prevTransit, u.haveTransit = t, true
}

// omitEnds starts the results at the highest sequence number seen: what
// is at or below it, however late it comes, belongs to the omit period.
// Jitter starts afresh, as iperf3 resets it.
func (u *udpAccount) omitEnds() {
	u.boundary = u.highest
	u.received, u.bytes = 0, 0
	u.outOfOrder, u.duplicates, u.late, u.gapErrors = 0, 0, 0, 0
	u.jitter, u.haveTransit = 0, false
}

// lost returns the datagrams lost of sent, the sender's total: those it
// sent after the boundary that never arrived (late ones included).
func (u *udpAccount) lost(sent uint64) uint64 {
	if sent <= u.boundary+u.received {
		return 0
	}
	return sent - u.boundary - u.received
}
