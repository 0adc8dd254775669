package engine

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/goperf/goperf/engine/enginetest"
	"github.com/goperf/goperf/engine/wire"
)

// TestPacerRate steps a fake clock and checks the long-run rate and the
// burst limit.
func TestPacerRate(t *testing.T) {
	tests := []struct {
		name    string
		bitrate uint64
		block   int
	}{
		{"10 Mbit/s, 128 KiB blocks", 10e6, 128 << 10},
		{"1 Gbit/s, 8 KiB blocks", 1e9, 8 << 10},
		{"1 Mbit/s, 1400 B", 1e6, 1400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPacer(tt.bitrate, tt.block, 0, 0)
			var now time.Duration
			sent := 0
			for now < 10*time.Second {
				if d := p.wait(now, tt.block); d > 0 {
					now += d
					continue
				}
				p.sent(now, tt.block)
				sent += tt.block
			}
			got := float64(sent) * 8 / now.Seconds()
			if got < float64(tt.bitrate)*0.99 || got > float64(tt.bitrate)*1.01+float64(tt.block*8)/10 {
				t.Errorf("rate %.0f bit/s, want %d", got, tt.bitrate)
			}
		})
	}
}

// TestPacerLateTimer wakes every wait late, as a busy machine's timers do,
// and checks that the bucket keeps what the lateness earned.
func TestPacerLateTimer(t *testing.T) {
	for _, late := range []time.Duration{50 * time.Microsecond, time.Millisecond, 5 * time.Millisecond} {
		const bitrate, block = 10e6, 1400
		p := newPacer(bitrate, block, 0, 0)
		var now time.Duration
		sent := 0
		for now < 10*time.Second {
			if d := p.wait(now, block); d > 0 {
				now += d + late
				continue
			}
			p.sent(now, block)
			sent += block
		}
		if got := float64(sent) * 8 / now.Seconds(); got < bitrate*0.995 || got > bitrate*1.005 {
			t.Errorf("timers %v late: rate %.0f bit/s, want %d", late, got, int(bitrate))
		}
	}
}

func TestPacerBurst(t *testing.T) {
	p := newPacer(8e6, 1000, 0, 0) // 1 MB/s: the bucket holds 1000 + 10 ms = 11000 bytes
	if d := p.wait(0, 1000); d != 0 {
		t.Fatalf("a new pacer waits %v for one block", d)
	}
	p.sent(0, 1000)
	if d := p.wait(0, 1000); d != time.Millisecond {
		t.Errorf("empty bucket: wait %v, want 1ms", d)
	}
	// A long idle spell banks no more than the bucket.
	if got := p.available(time.Hour); got != 11000 {
		t.Errorf("after idling: %v bytes may go, want 11000", got)
	}
	p.sent(time.Hour, 11000)
	if d := p.wait(time.Hour, 1000); d != time.Millisecond {
		t.Errorf("after the burst: wait %v, want 1ms", d)
	}
	if n := p.perWake(100, pacerTick); n != 10 {
		t.Errorf("perWake(100, 1ms) = %d, want 10", n)
	}
	if n := p.perWake(5000, pacerTick); n != 1 {
		t.Errorf("perWake(5000, 1ms) = %d, want 1", n)
	}
	if newPacer(0, 1000, 0, 0) != nil {
		t.Error("rate 0 must mean no pacer")
	}
}

// TestPacingTimer: with --pacing-timer a sender that must wait sleeps at
// least a tick and then sends what it earned in one burst: 10 ms at
// 1 MB/s is 10 blocks of 1000 bytes, which the bucket holds. The
// parameter carries the timer; iperf3's default (1000 µs, which a stock
// client always sends) means exact waits.
func TestPacingTimer(t *testing.T) {
	const tick = 10 * time.Millisecond
	p := newPacer(8e6, 1000, tick, 0)
	p.sent(0, 1000)
	if d := p.wait(0, 1000); d != tick {
		t.Errorf("empty bucket: wait %v, want the tick %v", d, tick)
	}
	burst := 0
	for now := tick; p.wait(now, 1000) == 0 && burst < 100; burst++ {
		p.sent(now, 1000)
	}
	if burst != 10 {
		t.Errorf("after a tick %d blocks went, want 10", burst)
	}
	// A burst of 10 blocks of 1000 bytes at 8 Mbit/s is 10 ms of the rate.
	if got := (&Spec{Bitrate: 8e6, Burst: 10}).pacingTick(1000); got != tick {
		t.Errorf("burst of 10: tick %v, want %v", got, tick)
	}
	if got := (&Spec{Bitrate: 8e6, Burst: 10, PacingTimer: time.Second}).pacingTick(1000); got != time.Second {
		t.Errorf("burst and a longer timer: tick %v, want the timer", got)
	}
	for _, tt := range []struct {
		asked time.Duration
		wire  int64
		back  time.Duration
	}{{0, 1000, 0}, {time.Millisecond, 1000, 0}, {500 * time.Microsecond, 500, 500 * time.Microsecond}, {tick, 10000, tick}} {
		if w := pacingTimerMicros(tt.asked); w != tt.wire || pacingTimerOf(wire.Int(w)) != tt.back {
			t.Errorf("timer %v: parameter %d, read back %v; want %d, %v", tt.asked, w, pacingTimerOf(wire.Int(w)), tt.wire, tt.back)
		}
	}
}

// TestPacerCatchUp stalls a sender on a stepped clock, as a descheduled
// thread or a full socket does: a TCP pacer makes up a stall of up to
// pacerCatchUp, to the block, and no more than that; a UDP pacer makes up
// only its 10 ms slack. A 128 KiB block at 1 Gbit/s is 1.05 ms.
func TestPacerCatchUp(t *testing.T) {
	const bitrate, block = 1e9, 128 << 10
	const rate = bitrate / 8
	for _, tt := range []struct {
		name         string
		catchUp      time.Duration
		stall, short time.Duration // the stall, and the part of it not made up
	}{
		{"TCP 200 ms stall", pacerCatchUp, 200 * time.Millisecond, 0},
		{"TCP 400 ms stall", pacerCatchUp, 400 * time.Millisecond, 400*time.Millisecond - pacerCatchUp},
		{"UDP 200 ms stall", 0, 200 * time.Millisecond, 200*time.Millisecond - pacerSlack},
		{"UDP fine timer 200 ms stall", udpBurst, 200 * time.Millisecond, 200*time.Millisecond - udpBurst},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newPacer(bitrate, block, 0, tt.catchUp)
			var now time.Duration
			sent := 0.0
			stalled := false
			for now < 3*time.Second {
				if !stalled && now >= time.Second {
					now += tt.stall // nothing sent, as a thread off the CPU
					stalled = true
					continue
				}
				if d := p.wait(now, block); d > 0 {
					now += d
					continue
				}
				p.sent(now, block)
				sent += block
			}
			want := rate * (now - tt.short).Seconds()
			if diff := sent - want; diff < -2*block || diff > 2*block {
				t.Errorf("sent %.0f bytes by %v, want %.0f (the rate over the test less %v): %+.0f bytes", sent, now, want, tt.short, diff)
			}
			if blockTime := time.Duration(block / rate * float64(time.Second)); p.late < tt.short-blockTime || p.late > tt.short+blockTime {
				t.Errorf("late %v, want the stall's part not made up, %v, to a block (%v)", p.late, tt.short, blockTime)
			}
		})
	}
}

// TestPacerUDPFineBurst runs a UDP sender's steps (udpSendStep with a fine
// timer) on a stepped clock whose wake-ups are late by up to 400 µs, and
// now and then by up to four times udpBurst, as a descheduled thread's:
// what it sends conforms to a token bucket of the rate and one datagram
// plus udpBurst, the stated bound, and only the long stalls cost rate,
// each its lateness past the bucket.
func TestPacerUDPFineBurst(t *testing.T) {
	const length = 1448
	rng := rand.New(rand.NewPCG(1, 2))
	for _, bitrate := range []float64{10e6, 100e6, 1e9, 10e9} {
		rate := bitrate / 8
		p := newPacer(uint64(bitrate), length, 0, udpBurst)
		want := p.perWake(length, udpWake)
		var now, stalls time.Duration
		var sent []enginetest.Arrival
		total := 0
		for now < 2*time.Second {
			if d := p.wait(now, want*length); d > 0 {
				now += d + time.Duration(rng.Int64N(int64(400*time.Microsecond)))
				if rng.IntN(500) == 0 {
					stall := time.Duration(1+rng.IntN(4)) * udpBurst
					now += stall
					stalls += stall
				}
				continue
			}
			n := min(64, max(want, int(p.available(now)/length)))
			p.sent(now, n*length)
			sent = append(sent, enginetest.Arrival{At: now, Bytes: n * length})
			total += n * length
		}
		bound := length + rate*udpBurst.Seconds()
		if got := enginetest.Burst(sent, rate); got > bound {
			t.Errorf("%.0e bit/s: burst %.0f bytes, above the bound %.0f", bitrate, got, bound)
		}
		// What was not sent is what the bucket could not keep and what
		// it holds at the end, beyond the datagram it began with; and
		// what it could not keep is less than the stalls.
		short := rate*now.Seconds() - float64(total) - (p.available(now) - length)
		if lost := rate * p.late.Seconds(); math.Abs(short-lost) > float64(want*length) {
			t.Errorf("%.0e bit/s: %.0f bytes short of the rate, but the pacer counts %.0f late", bitrate, short, lost)
		}
		if p.late > stalls {
			t.Errorf("%.0e bit/s: %v late, more than the %v of stalls", bitrate, p.late, stalls)
		}
	}
}
