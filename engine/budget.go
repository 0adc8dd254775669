package engine

import "sync/atomic"

// budget ends a test after a number of bytes or blocks (-n, -k), counted
// over all streams: the test ends when the total sent or the total received
// reaches the limit, as in iperf3. Only the client, which decides when a
// test ends, keeps a budget.
type budget struct {
	sent, recv allowance
	exhausted  func() // called once the first allowance runs out
}

// allowance counts down one direction's bytes and blocks.
type allowance struct {
	bytes, blocks atomic.Int64
}

// newBudget returns a budget for s, or nil when s ends by time.
func newBudget(s *Spec, exhausted func()) *budget {
	if s.Bytes == 0 && s.Blocks == 0 {
		return nil
	}
	b := &budget{exhausted: exhausted}
	for _, a := range []*allowance{&b.sent, &b.recv} {
		a.bytes.Store(limit(s.Bytes))
		a.blocks.Store(limit(s.Blocks))
	}
	return b
}

// limit turns 0 ("no limit") into a count that never runs out.
func limit(n uint64) int64 {
	if n == 0 || n > 1<<62 {
		return 1 << 62
	}
	return int64(n)
}

// spend counts one block of n bytes in the given direction and reports
// whether the budget is used up.
func (b *budget) spend(sending bool, n int) bool { return b.spendBlocks(sending, n, 1) }

// spendBlocks counts n bytes that made blocks blocks in the given
// direction and reports whether the budget is used up.
func (b *budget) spendBlocks(sending bool, n, blocks int) bool {
	a := &b.recv
	if sending {
		a = &b.sent
	}
	bytesLeft := a.bytes.Add(-int64(n))
	blocksLeft := a.blocks.Add(-int64(blocks))
	if bytesLeft > 0 && blocksLeft > 0 {
		return false
	}
	b.exhausted()
	return true
}
