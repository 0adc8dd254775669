package engine

import (
	"fmt"
	"runtime/debug"
	"syscall"

	"github.com/goperf/goperf/engine/wire"
)

// A server's tests allocate their buffers from one budget, so that no mix
// of clients can take more of the host's memory than the operator allowed:
// 8 tests of 128 streams each way with 1 MiB buffers would otherwise hold
// 2 GiB. A test whose buffers do not fit is refused when it asks, with
// iperf3's "unable to create a new test" and ENOMEM, so a stock client
// prints "Cannot allocate memory". When the server is idle again it hands
// the freed memory back to the operating system: Go's runtime would keep
// it, and RSS would stay at the high-water mark.

// DefaultMemoryBudget is the budget when ServerConfig.MemoryBudget is 0: a
// quarter of the machine's memory, at most maxDefaultBudget: room for
// three tests of the largest kind (about 260 MiB each) beside whatever
// else the machine runs.
func DefaultMemoryBudget() int64 {
	if total, ok := physicalMemory(); ok {
		return min(total/4, maxDefaultBudget)
	}
	return maxDefaultBudget
}

const maxDefaultBudget = 1 << 30

// Per-stream costs beyond its buffers: the goroutine's stack, the stream
// and its sockets' Go state.
const streamOverhead = 16 << 10

// testMemory estimates, from above, the bytes of buffers a server's side
// of sp allocates: a block per TCP stream (a receiver's at least
// minRecvBlock); for UDP a sender's batch of GSO
// messages and a receiver's batch of GRO buffers (udp.go).
func testMemory(sp *Spec, udp udpOptions) int64 {
	n := int64(sp.totalStreams())
	if sp.Proto != UDP {
		return n * (int64(recvBlock(sp.Length)) + streamOverhead)
	}
	perMsg := int64(max(1, min(maxGSOSegments, maxGSOBytes/max(sp.Length, 1))))
	send := int64(udp.Batch) * perMsg * int64(sp.Length)
	recv := int64(min(udp.Batch, 8)) * 65535
	if !udp.GRO {
		recv = int64(udp.Batch) * int64(sp.Length)
	}
	return n * (max(send, recv) + streamOverhead)
}

// reserveFor takes the memory of ss's test of sp from the budget, or
// returns why not.
func (s *Server) reserveFor(ss *session, sp *Spec) error {
	need := testMemory(sp, s.cfg.UDP.options())
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reserve(need); err != nil {
		return err
	}
	ss.memory = need
	return nil
}

// reserve takes need bytes from the budget, or returns why not. The
// caller holds s.mu.
func (s *Server) reserve(need int64) error {
	if s.reserved+need > s.budget {
		return &specError{code: wire.CodeNewTest, errno: syscall.ENOMEM,
			msg: fmt.Sprintf("the test needs %s of buffers, the server has %s free of its %s (--memory-budget)",
				sizeText(need), sizeText(s.budget-s.reserved), sizeText(s.budget))}
	}
	s.reserved += need
	return nil
}

// unreserve gives a test's memory back, and reports whether the server
// is now idle with memory to return (returnMemory). The caller holds s.mu.
func (s *Server) unreserve(held int64) bool {
	s.reserved -= held
	return held > 0 && s.active == 0
}

// returnMemory collects the garbage and hands the free memory back to the
// operating system. A test's goroutine calls it last, once nothing refers
// to the test's buffers any more.
func returnMemory() { debug.FreeOSMemory() }

// sizeText writes a byte count as "256 MiB".
func sizeText(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", (n+1023)>>10)
}
