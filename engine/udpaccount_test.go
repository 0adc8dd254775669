package engine

import (
	"math/rand/v2"
	"testing"
)

// feed adds seqs in order, one 100-byte datagram each, with a constant
// transit time.
func feed(u *udpAccount, seqs ...uint64) {
	for _, s := range seqs {
		u.add(s, 100, 0, 1)
	}
}

func TestUDPAccount(t *testing.T) {
	tests := []struct {
		name                      string
		seqs                      []uint64
		sent                      uint64
		wantReceived, wantLost    uint64
		wantOOO, wantDup, wantGap uint64
	}{
		{"in order", []uint64{1, 2, 3, 4, 5}, 5, 5, 0, 0, 0, 0},
		{"loss in the middle", []uint64{1, 2, 5}, 5, 3, 2, 0, 0, 2},
		{"loss at the end", []uint64{1, 2, 3}, 5, 3, 2, 0, 0, 0},
		{"swap", []uint64{1, 3, 2, 4}, 4, 4, 0, 1, 0, 0},
		{"duplicate", []uint64{1, 2, 2, 3}, 3, 3, 0, 0, 1, 0},
		{"late duplicate", []uint64{1, 3, 2, 2, 4}, 4, 4, 0, 1, 1, 0},
		{"duplicate of the highest", []uint64{1, 2, 3, 3, 3}, 3, 3, 0, 0, 2, 0},
		{"reversed", []uint64{5, 4, 3, 2, 1}, 5, 5, 0, 4, 0, 0},
		{"nothing", nil, 7, 0, 7, 0, 0, 0},
		{"zero is no datagram", []uint64{0, 1, 2}, 2, 2, 0, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := newUDPAccount()
			feed(u, tt.seqs...)
			if u.received != tt.wantReceived || u.lost(tt.sent) != tt.wantLost ||
				u.outOfOrder != tt.wantOOO || u.duplicates != tt.wantDup || uint64(u.gapErrors) != tt.wantGap {
				t.Errorf("received %d lost %d ooo %d dup %d gap %d; want %d %d %d %d %d",
					u.received, u.lost(tt.sent), u.outOfOrder, u.duplicates, u.gapErrors,
					tt.wantReceived, tt.wantLost, tt.wantOOO, tt.wantDup, tt.wantGap)
			}
			if u.received+u.lost(tt.sent) != tt.sent {
				t.Errorf("received %d + lost %d != sent %d", u.received, u.lost(tt.sent), tt.sent)
			}
			if u.bytes != 100*u.received {
				t.Errorf("bytes %d for %d datagrams", u.bytes, u.received)
			}
		})
	}
}

// TestUDPAccountRandom shuffles, drops and repeats a long sequence and
// checks the identity sent = received + lost and the duplicate count.
func TestUDPAccountRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const sent = 200000
	var arrivals []uint64
	delivered := map[uint64]bool{}
	dups := 0
	for s := uint64(1); s <= sent; s++ {
		if r.IntN(10) == 0 {
			continue // lost
		}
		arrivals = append(arrivals, s)
		delivered[s] = true
		if r.IntN(50) == 0 {
			arrivals = append(arrivals, s)
			dups++
		}
	}
	// Reorder within a window much smaller than udpWindow.
	for i := range arrivals {
		j := i + r.IntN(64)
		if j < len(arrivals) {
			arrivals[i], arrivals[j] = arrivals[j], arrivals[i]
		}
	}
	u := newUDPAccount()
	feed(u, arrivals...)
	if u.received != uint64(len(delivered)) || u.duplicates != uint64(dups) || u.late != 0 {
		t.Errorf("received %d (want %d), duplicates %d (want %d), late %d", u.received, len(delivered), u.duplicates, dups, u.late)
	}
	if u.received+u.lost(sent) != sent {
		t.Errorf("received %d + lost %d != %d", u.received, u.lost(sent), sent)
	}
}

// TestUDPAccountLate checks that a datagram older than the window counts
// as late and lost, never as received twice.
func TestUDPAccountLate(t *testing.T) {
	u := newUDPAccount()
	feed(u, 2, udpWindow+10, 1, 2)
	if u.late != 2 || u.received != 2 || u.duplicates != 0 {
		t.Errorf("late %d received %d dup %d", u.late, u.received, u.duplicates)
	}
	if sent := uint64(udpWindow + 10); u.received+u.lost(sent) != sent {
		t.Error("identity broken")
	}
}

// TestUDPAccountOmit checks the boundary: what is at or below the highest
// sequence seen when omit ends is left out, even when it arrives later.
func TestUDPAccountOmit(t *testing.T) {
	u := newUDPAccount()
	feed(u, 1, 2, 4)
	u.omitEnds()
	feed(u, 3, 5, 6) // 3 is from the omit period, late
	if u.received != 2 || u.boundary != 4 {
		t.Errorf("received %d boundary %d, want 2 and 4", u.received, u.boundary)
	}
	// The sender sent 7 in all: 3 after the boundary (5, 6, 7), 7 lost.
	if u.lost(7) != 1 {
		t.Errorf("lost %d, want 1", u.lost(7))
	}
}

// TestJitter checks iperf3's smoothing on a known series.
func TestJitter(t *testing.T) {
	u := newUDPAccount()
	// Transit alternates 10 ms and 12 ms: |D| is 2 ms each time, and the
	// estimate approaches 2 ms from below.
	for i := uint64(1); i <= 200; i++ {
		transit := 0.010
		if i%2 == 0 {
			transit = 0.012
		}
		u.add(i, 100, 0, transit)
	}
	if u.jitter < 0.00199 || u.jitter > 0.002 {
		t.Errorf("jitter %v, want just under 2 ms", u.jitter)
	}
	// The first difference of 2 ms gives J = 2/16 ms exactly.
	v := newUDPAccount()
	v.add(1, 100, 0, 0.010)
	v.add(2, 100, 0, 0.012)
	if d := v.jitter - 0.002/16; d > 1e-15 || d < -1e-15 {
		t.Errorf("first step %v", v.jitter)
	}
}
