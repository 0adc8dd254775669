package engine

import "runtime"

// A TCP receiver whose streams leave a core free reads its block whole, as
// iperf3's Nrecv does: each read asks for what is left of the block, so a
// read after a short one asks for less than a block and leaves the rest
// queued. Asking a whole block every time, each read emptied the socket
// and the next one slept, and the sender paid a wake-up (a cross-core
// interrupt, dear in a VM) for nearly every write. Where the receivers
// have no core to spare, the extra short reads cost more than the
// wake-ups they save. Measured over loopback on the 2-core machine, 128
// KiB, receiver Gbit/s, alternating runs, filling against whole reads: -P
// 1 1.25x (0.80x of iperf3 3.21 before, 0.92x after), -R 1.2x; -P 2 0.92x,
// -P 4 0.97x (1 MiB -P 4 0.96x). What is counted does not change: every
// byte is counted as it comes, and a read that moved data is one block
// call either way.

// fillsBlocks reports whether n receiving streams leave a core free.
func fillsBlocks(n int) bool { return n < runtime.NumCPU() }

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
