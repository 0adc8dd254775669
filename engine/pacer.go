package engine

import "time"

// pacer is a token bucket that limits a stream to a bit rate. It never reads
// the clock: callers pass the time, so tests can step it.
type pacer struct {
	rate   float64       // bytes per second
	burst  float64       // bucket size, bytes
	tokens float64       // bytes that may be sent now
	last   time.Duration // time of the last refill
}

// pacerBurstTime is how much sending the bucket may hold, as iperf3's
// default pacing timer of 1 ms.
const pacerBurstTime = time.Millisecond

// newPacer returns a pacer for bitrate bit/s and writes of block bytes, or
// nil when the rate is unlimited. The bucket holds at least one block, and
// starts full.
func newPacer(bitrate uint64, block int) *pacer {
	if bitrate == 0 {
		return nil
	}
	rate := float64(bitrate) / 8
	burst := max(rate*pacerBurstTime.Seconds(), float64(block))
	return &pacer{rate: rate, burst: burst, tokens: burst}
}

// wait returns how long to wait at time now before n bytes may be sent.
func (p *pacer) wait(now time.Duration, n int) time.Duration {
	p.refill(now)
	if p.tokens >= float64(n) {
		return 0
	}
	return time.Duration((float64(n) - p.tokens) / p.rate * float64(time.Second))
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

// refill adds the tokens earned since the last refill, up to the burst.
func (p *pacer) refill(now time.Duration) {
	if now > p.last {
		p.tokens = min(p.burst, p.tokens+(now-p.last).Seconds()*p.rate)
		p.last = now
	}
}
