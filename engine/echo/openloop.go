package echo

import (
	"context"
	"math"
	"runtime"
	"sync"
	"time"

	"github.com/goperf/goperf/sockopt"
)

// In the open loop one sender goroutine sends message i, for i from 0, at
// its intended time due(i) = i/Rate after the epoch, on connection i mod
// Conns, as sequence number i div Conns there; it never waits for an echo.
// Each connection has a receiver goroutine that rebuilds the message from
// its sequence number, compares it byte for byte and records the round
// trip from the intended send time. A sender that falls behind sends at
// once, without skipping, so its own lateness and any stall of the path
// show in the round trips of every message they delay.
//
// The number of messages is fixed before the first is sent (the run's
// duration or count at the rate), so each receiver knows how many echoes
// to wait for.

// spinWindow is how far ahead of a due time the sender stops sleeping and
// watches the clock instead. Go's timers may fire a millisecond late, so
// the sender sleeps with sockopt.Sleep on a thread of its own whose timer
// slack is a nanosecond: it then wakes within some tens of microseconds.
const spinWindow = 50 * time.Microsecond

// lag is how late the sender was: how much of each round trip is the
// sender's own delay rather than the path's.
type lag struct {
	max time.Duration
	sum time.Duration
	n   uint64
}

// openLoop sends on this goroutine and receives on one per connection.
func (r *run) openLoop(ctx context.Context) {
	total := r.messages()
	var wg sync.WaitGroup
	for i, c := range r.conns {
		rc := newReceiver(r, c, i, share(total, len(r.conns), i))
		wg.Go(func() {
			if err := rc.run(); err != nil {
				r.tallies[i].err = r.connError(err)
				_ = c.Close() // so that the sender does not block on it
			}
		})
	}
	sendErrs := r.send(ctx, total)
	wg.Wait()
	for i, err := range sendErrs {
		if t := &r.tallies[i]; t.err == nil {
			t.err = r.connError(err)
		}
	}
}

// due returns message i's intended send time after the epoch.
func (r *run) due(i uint64) time.Duration {
	return time.Duration(float64(i) * float64(time.Second) / r.m.Rate)
}

// messages returns how many messages the open loop sends: those due
// before the end of the run, or the warm-up's and Count more.
func (r *run) messages() uint64 {
	perNs := r.m.Rate / float64(time.Second)
	if r.m.Count > 0 {
		return uint64(math.Ceil(float64(r.warmEnd)*perNs)) + r.m.Count
	}
	return uint64(math.Ceil(float64(r.end) * perNs))
}

// send sends all messages at their due times. After the last, UDP
// receivers get the lost timeout to collect the remaining echoes. It
// returns each connection's write error; a connection stops at its first.
func (r *run) send(ctx context.Context, total uint64) []error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if prev, err := sockopt.SetTimerSlack(1); err == nil {
		defer func() { _, _ = sockopt.SetTimerSlack(prev) }()
	}
	msg := newMessage(r.m.Size)
	failed := make([]error, len(r.conns))
	n := uint64(len(r.conns))
	alive := len(r.conns)
	for i := uint64(0); i < total && alive > 0; i++ {
		due := r.due(i)
		r.waitUntil(due)
		if ctx.Err() != nil {
			break
		}
		c := i % n
		if failed[c] != nil {
			continue
		}
		if late := r.since() - due; due >= r.warmEnd {
			r.lag.add(late)
		}
		stamp(msg, i/n, due)
		if _, err := r.conns[c].Write(msg); err != nil {
			failed[c] = err // the receiver counts the rest lost
			alive--
		}
	}
	if r.cfg.Proto == UDP {
		for _, c := range r.conns {
			_ = c.SetReadDeadline(time.Now().Add(r.cfg.LostTimeout))
		}
	}
	return failed
}

// waitUntil returns at due: it sleeps while due is far, then spins on the
// clock. It does not yield while spinning: a runnable goroutine in the
// run queue keeps the scheduler from polling the network, which would
// delay the receivers.
func (r *run) waitUntil(due time.Duration) {
	for left := due - r.since(); left > 0; left = due - r.since() {
		if left > spinWindow {
			sockopt.Sleep(left - spinWindow)
		}
	}
}

func (l *lag) add(d time.Duration) {
	l.max = max(l.max, d)
	l.sum += d
	l.n++
}
