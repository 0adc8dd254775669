package echo

import (
	"net"
	"testing"
)

// FuzzCheck feeds the open loop's receiver arbitrary echoes: it must never
// panic, and every echo must be counted once, as echoed, mismatched or
// late.
func FuzzCheck(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("goecho: server busy: 1 connections (try again later)\n"))
	good := newMessage(64)
	stamp(good, 3, 0)
	f.Add(good)
	f.Add(good[:20])
	f.Fuzz(func(t *testing.T, echo []byte) {
		cfg := ClientConfig{Proto: UDP}
		cfg.defaults()
		r := newRun(&cfg, &MeasureConfig{Size: 64, Count: 10, Conns: 1, Rate: 1000}, nil)
		r.tallies = []tally{{hist: NewHistogram()}}
		c, peer := net.Pipe()
		defer c.Close()
		defer peer.Close()
		r.conns = []net.Conn{c}
		rc := newReceiver(r, c, 0, 10)
		rc.check(echo)
		rc.check(echo)
		tl := rc.t
		if n := tl.echoed + tl.mismatched + tl.late; n != 2 {
			t.Errorf("two echoes counted %d times: %+v", n, tl)
		}
	})
}
