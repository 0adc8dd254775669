package engine

// How a TCP receiver reads. -b (iperf3's -l) is the size of the sender's
// writes; a receiver's reads are its own, as iperf 2's server reads 128
// KiB whatever the client writes. Both choices below were measured over
// loopback on the 2-core machine, receiver Gbit/s, alternating runs.
//
// A block of at least minRecvBlock: reading 8 KiB writes 8 KiB at a time
// costs the receiver a system call per write; 128 KiB reads made -P 1
// 1.17x, -P 4 1.37x and -P 8 1.28x (3 runs each), past iperf3 3.21, which
// reads -l bytes.
//
// A receiver whose streams leave a core free fills its block, as iperf3's
// Nrecv does: a read after a short one asks only for the rest of the
// block, and leaves what else has come queued for the next. Asking a whole
// block every time emptied the socket at each read, so the next one slept
// and the sender paid a wake-up (a cross-core interrupt, dear in a VM) for
// nearly every write: an iperf3 3.21 client at 128 KiB into a goperf
// server made 0.80x of what it made into iperf3's own (6 runs), 0.92-1.0x
// filling blocks; goperf to goperf -P 1 1.25x, -R 1.2x. Where the
// receivers have no core to spare, the extra short reads cost more than
// the wake-ups they save (-P 2 0.92x, -P 4 0.97x, 1 MiB -P 4 0.96x), and
// each read asks a whole block.
//
// What is counted does not change: every byte is counted as it comes, and
// a read that moved data is one block call either way. A budget of blocks
// (-k) counts the sender's blocks at the receiver too, every length bytes
// that came, as iperf3's receiver, which reads a whole block per call,
// does.

// minRecvBlock is the least a TCP receiver asks of a read.
const minRecvBlock = 128 << 10

// recvBlock is the size of a TCP receiver's block for writes of length.
func recvBlock(length int) int { return max(length, minRecvBlock) }

// prepareRecv sizes a TCP receiver's block, once, before the test, and
// says whether it fills it: when its test's streams leave a core free
// (leaveCoreFree).
func (s *stream) prepareRecv(fill bool) {
	s.length = len(s.buf)
	if n := recvBlock(len(s.buf)); n > len(s.buf) {
		s.buf = make([]byte, n)
	}
	s.fillBlocks = fill
}

// unread is the part of the receiver's block the next read fills.
func (s *stream) unread() []byte { return s.buf[s.filled:] }

// arrived records that a read put n bytes into unread and returns them.
// A receiver that fills blocks goes on where the read ended, until the
// block is full; one that does not reads into a whole block every time.
func (s *stream) arrived(n int) []byte {
	p := s.buf[s.filled : s.filled+min(max(n, 0), len(s.buf)-s.filled)]
	if !s.fillBlocks {
		return p
	}
	if s.filled += len(p); s.filled == len(s.buf) {
		s.filled = 0
	}
	return p
}

// spendRecv spends n bytes that came, and the sender's blocks they
// complete, from the budget, and reports whether it is used up.
func (s *stream) spendRecv(n int) bool {
	if s.length <= 0 { // not prepared: every read is a block
		return s.budget.spend(false, n)
	}
	s.carry += n
	blocks := s.carry / s.length
	s.carry %= s.length
	return s.budget.spendBlocks(false, n, blocks)
}
