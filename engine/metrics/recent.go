package metrics

import (
	"sync"

	"github.com/goperf/goperf/engine"
)

// recent holds the last tests in a ring: adding the (keep+1)th forgets
// the oldest, so memory and series stay bounded.
type recent struct {
	mu   sync.Mutex
	ring []*engine.TestRecord
	next int // where the next record goes
	full bool
}

func newRecent(keep int) *recent { return &recent{ring: make([]*engine.TestRecord, keep)} }

func (r *recent) add(rec *engine.TestRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ring[r.next] = rec
	r.next = (r.next + 1) % len(r.ring)
	r.full = r.full || r.next == 0
}

// list returns the records kept, oldest first.
func (r *recent) list() []*engine.TestRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.full {
		return append([]*engine.TestRecord(nil), r.ring[:r.next]...)
	}
	return append(append([]*engine.TestRecord(nil), r.ring[r.next:]...), r.ring[:r.next]...)
}
