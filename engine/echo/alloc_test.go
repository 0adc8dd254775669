package echo

import (
	"testing"
	"time"

	"github.com/goperf/goperf/sockopt"
)

// TestRoundTripAllocs checks that a closed-loop round trip, server side
// included, and an open-loop send and check allocate nothing.
func TestRoundTripAllocs(t *testing.T) {
	eachProto(t, func(t *testing.T, proto Proto) {
		ts := startServer(t, ServerConfig{Proto: proto})
		cfg := ts.client(proto)
		cfg.defaults()
		conn := dialT(t, network(proto), ts.Addr().String())
		m := MeasureConfig{Size: 64, Count: 1, Conns: 1, Rate: 1e6}
		r := newRun(&cfg, &m, nil)
		r.tallies = make([]tally, 1)
		r.tallies[0].hist = NewHistogram()
		r.conns = append(r.conns, conn)

		spins := []time.Duration{0}
		if sockopt.RawIO {
			spins = append(spins, DefaultSpin) // spinning polls with raw reads
		}
		for _, spin := range spins {
			r.spin = spin
			p := newPinger(r, conn, &r.tallies[0])
			if err := p.stall.arm(); err != nil {
				t.Fatal(err)
			}
			n := testing.AllocsPerRun(200, func() {
				sent := r.since()
				stamp(p.out, p.seq, sent)
				if o, err := p.roundTrip(sent); err != nil || o != echoed {
					t.Fatalf("round trip: %v, %v", o, err)
				}
				p.account(echoed, sent)
				p.seq++
			})
			if n != 0 {
				t.Errorf("closed loop, spin %v: %v allocations per round trip", spin, n)
			}
		}

		rc := newReceiver(r, conn, 0, 1<<20)
		msg := newMessage(m.Size)
		seq := uint64(0)
		n := testing.AllocsPerRun(200, func() {
			stamp(msg, seq, r.due(seq))
			if _, err := conn.Write(msg); err != nil {
				t.Fatal(err)
			}
			_ = conn.SetReadDeadline(time.Now().Add(time.Second))
			k, err := conn.Read(rc.in)
			if err != nil || !rc.check(rc.in[:k]) {
				t.Fatalf("echo: %v", err)
			}
			seq++
		})
		if n != 0 {
			t.Errorf("open loop: %v allocations per message", n)
		}
		if rc.t.mismatched != 0 {
			t.Errorf("%d mismatched", rc.t.mismatched)
		}
	})
}
