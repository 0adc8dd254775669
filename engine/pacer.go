package engine

import (
	"time"

	"github.com/goperf/goperf/sockopt"
)

// pacer is a token bucket that limits a stream to a bit rate. It never reads
// the clock: callers pass the time, so tests can step it.
type pacer struct {
	rate   float64       // bytes per second
	burst  float64       // bucket size, bytes
	tokens float64       // bytes that may be sent now
	last   time.Duration // time of the last refill
	tick   time.Duration // --pacing-timer: the shortest wait; 0 = exact waits
	late   time.Duration // time whose tokens the full bucket could not keep
}

// Pacing times. A sender sleeps until a tick's worth of bytes (iperf3's
// pacing timer is 1 ms) may go; the bucket also keeps what a late wake-up
// earned, up to pacerSlack, so timer lateness does not lower the rate.
//
// A TCP sender keeps more: up to pacerCatchUp of the rate, so that one
// that fell behind, descheduled on a busy machine or blocked on a full
// socket, makes it up (back to back, which TCP's own window smooths)
// instead of ending the test short. Measured on loopback beside three
// CPU hogs per core (stress-ng --cpu 6 on 2 cores), 5 s tests: with 10 ms
// TCP at 2 Gbit/s delivered 12.9 to 13.8% less than asked and at 5 Gbit/s
// 11 to 14% less; with 250 ms, 0.3 to 0.9% and 0.01 to 1.9% (issue 17).
// A stall longer than the bound is not made up. The bound also caps what
// an interval after a stall carries above the rate: a quarter second's
// worth. UDP makes up nothing beyond its bucket: a burst at line rate is
// what a shallow switch buffer drops (see udpBurst).
const (
	pacerTick    = time.Millisecond
	pacerSlack   = 10 * time.Millisecond
	pacerCatchUp = 250 * time.Millisecond
)

// A UDP sender in a thread loop keeps a finer schedule than Go's timers
// allow (they fire about a millisecond late; see sockopt.Sleep): it
// sleeps until udpWake of the rate, or one datagram, has been earned, and
// sends what it has earned. On time, that is one datagram or a few; a
// sender that woke late sends what it earned meanwhile at once, up to the
// bucket: one datagram plus udpBurst of the rate, the stated burst bound.
// The datagrams a sender puts on the wire conform to a token bucket of the
// asked rate and that depth; a sender that fell further behind forfeits
// the rest (pacer.late) rather than burst longer.
//
// Measured in a veth namespace pair, 3 s at 1448 bytes, a packet capture
// on the receiving side, the burst as the depth of a bucket at the rate
// that the arrivals conform to (enginetest.Burst), 3 runs each: at
// 100 Mbit/s, 1.9 to 14 datagrams (iperf3 3.21: 5.4 to 16; before, with a
// wake per millisecond through Go's timers and 10 ms of bucket: 27 to
// 62); at 1 Gbit/s 139 to 161 (3.21: 138 to 370; before: 230 to 378).
// Beside a CPU hog on both cores the thread wakes up to about 5 ms late:
// at 100 Mbit/s, with a 250 µs bucket 7 to 20% of the rate was lost, with
// 2 ms 4 to 6%, with 5 ms none (99.85 to 100.03 Mbit/s) and bursts of 43
// to 44 datagrams (3.21: 40 to 46). Through the poller (other paths and
// systems) the sender wakes every pacerTick and the bucket keeps
// pacerSlack.
const (
	udpWake  = 125 * time.Microsecond
	udpBurst = 5 * time.Millisecond
)

// newPacer returns a pacer for bitrate bit/s and writes of block bytes, or
// nil when the rate is unlimited. The bucket holds one block plus depth of
// the rate (pacerSlack when depth is 0; see Spec.pacerDepth), and starts
// with one block.
//
// A tick (--pacing-timer) makes a sender that must wait sleep at least
// that long and then send what it earned, in one burst; the bucket grows
// to hold a tick's worth.
func newPacer(bitrate uint64, block int, tick, depth time.Duration) *pacer {
	if bitrate == 0 {
		return nil
	}
	if depth == 0 {
		depth = pacerSlack
	}
	rate := float64(bitrate) / 8
	burst := float64(block) + rate*max(tick, depth).Seconds()
	return &pacer{rate: rate, burst: burst, tokens: float64(block), tick: tick}
}

// perWake returns how many blocks of size bytes wake earns, at least 1:
// the most a sender should wait for at once.
func (p *pacer) perWake(size int, wake time.Duration) int {
	return max(1, int(p.rate*wake.Seconds()/float64(size)))
}

// wait returns how long to wait at time now before n bytes may be sent.
func (p *pacer) wait(now time.Duration, n int) time.Duration {
	p.refill(now)
	if p.tokens >= float64(n) {
		return 0
	}
	return max(time.Duration((float64(n)-p.tokens)/p.rate*float64(time.Second)), p.tick)
}

// available returns the bytes that may be sent at time now.
func (p *pacer) available(now time.Duration) float64 {
	p.refill(now)
	return p.tokens
}

// sent takes n bytes sent at time now out of the bucket.
func (p *pacer) sent(now time.Duration, n int) {
	p.refill(now)
	p.tokens -= float64(n)
}

// refill adds the tokens earned since the last refill, up to the burst,
// and counts as late the time whose tokens did not fit.
func (p *pacer) refill(now time.Duration) {
	if now <= p.last {
		return
	}
	earned := p.tokens + (now-p.last).Seconds()*p.rate
	if earned > p.burst {
		p.late += time.Duration((earned - p.burst) / p.rate * float64(time.Second))
		earned = p.burst
	}
	p.tokens, p.last = earned, now
}

// pacerLate is the time a paced sender forfeited to late wake-ups; 0 for
// a stream that is not paced. Read it once the sender is done.
func (s *stream) pacerLate() time.Duration {
	if !s.sender || s.pacer == nil {
		return 0
	}
	return s.pacer.late
}

// sendBlocked is the time a paced UDP sender's sends waited on a full
// socket buffer; 0 otherwise. Read it once the sender is done.
func (s *stream) sendBlocked() time.Duration {
	if !s.sender || s.udp == nil {
		return 0
	}
	return s.udp.blocked
}

// pace waits until the pacer lets n bytes go, or the stream is stopped.
func (s *stream) pace(n int) error {
	if s.fineTimer {
		return s.paceFine(n)
	}
	d := s.pacer.wait(time.Since(s.epoch), n)
	if d <= 0 {
		return nil
	}
	s.timer.Reset(d)
	select {
	case <-s.timer.C:
		return nil
	case <-s.wake:
		s.timer.Stop()
		return errStopped
	}
}

// paceFine is pace in a thread loop with a fine timer: it sleeps the
// thread (sockopt.Sleep), in slices of at most threadYield so that a
// halted stream sees its halt flag soon, until the pacer lets n bytes go,
// and passes through the scheduler between them (pass, thread.go). A
// sleep a signal cut short is taken again.
func (s *stream) paceFine(n int) error {
	for {
		now := time.Now()
		d := s.pacer.wait(now.Sub(s.epoch), n)
		if d <= 0 {
			return nil
		}
		if s.halt.Load() {
			return errStopped
		}
		if pass(now, &s.passed) {
			continue // the pass took time: ask the pacer again
		}
		sockopt.Sleep(min(d, threadYield))
	}
}

// pacingTick is the shortest wait of a paced sender of block-byte writes:
// the pacing timer, or the time the rate takes to earn a burst, whichever
// is longer; 0 for exact waits.
func (s *Spec) pacingTick(block int) time.Duration {
	tick := s.PacingTimer
	if s.Burst > 1 && s.Bitrate > 0 {
		tick = max(tick, time.Duration(float64(s.Burst*block)*8/float64(s.Bitrate)*float64(time.Second)))
	}
	return tick
}

// pacerDepth is how much of the rate a paced sender's bucket keeps beyond
// one block, which is how far behind it may fall and still make it up:
// pacerCatchUp for TCP; for UDP, udpBurst with a fine timer (fine), else
// pacerSlack.
func (s *Spec) pacerDepth(fine bool) time.Duration {
	switch {
	case s.Proto == TCP:
		return pacerCatchUp
	case fine:
		return udpBurst
	}
	return pacerSlack
}
