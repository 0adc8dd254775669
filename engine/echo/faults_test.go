package echo

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goperf/goperf/engine/output"
)

// fakeUDP runs a UDP echo server that answers datagram i with what reply
// returns: nothing to drop it, two to duplicate it, changed bytes to
// corrupt it. It returns a client configuration for it.
func fakeUDP(t *testing.T, reply func(i int, b []byte) [][]byte) ClientConfig {
	t.Helper()
	pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		buf := make([]byte, maxUDPDatagram)
		for i := 0; ; i++ {
			n, from, err := pc.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			for _, b := range reply(i, buf[:n]) {
				_, _ = pc.WriteToUDPAddrPort(b, from)
			}
		}
	})
	t.Cleanup(func() { pc.Close(); wg.Wait() })
	return ClientConfig{Proto: UDP, Host: "127.0.0.1", Port: pc.LocalAddr().(*net.UDPAddr).Port, LostTimeout: 50 * time.Millisecond}
}

// fakeTCP runs a TCP echo server that passes every read through mangle.
func fakeTCP(t *testing.T, mangle func(b []byte)) ClientConfig {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				buf := make([]byte, 64<<10)
				for {
					n, err := c.Read(buf)
					if err != nil {
						return
					}
					mangle(buf[:n])
					if _, err := c.Write(buf[:n]); err != nil {
						return
					}
				}
			})
		}
	})
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return ClientConfig{Proto: TCP, Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port}
}

// TestFaults checks the accounting against servers that lose, duplicate
// and corrupt echoes, closed and open loop.
func TestFaults(t *testing.T) {
	every := func(k int, f func(b []byte) [][]byte) func(int, []byte) [][]byte {
		return func(i int, b []byte) [][]byte {
			if i%k == k-1 {
				return f(b)
			}
			return [][]byte{b}
		}
	}
	drop := func([]byte) [][]byte { return nil }
	twice := func(b []byte) [][]byte { return [][]byte{b, b} }
	flip := func(b []byte) [][]byte { b[len(b)-1] ^= 1; return [][]byte{b} }
	tests := []struct {
		name                   string
		cfg                    func(t *testing.T) ClientConfig
		wantLost, wantMismatch bool
		wantLate               bool
	}{
		{"udp loss", func(t *testing.T) ClientConfig { return fakeUDP(t, every(5, drop)) }, true, false, false},
		{"udp duplicates", func(t *testing.T) ClientConfig { return fakeUDP(t, every(5, twice)) }, false, false, true},
		{"udp corruption", func(t *testing.T) ClientConfig { return fakeUDP(t, every(5, flip)) }, false, true, false},
		{"tcp corruption", func(t *testing.T) ClientConfig {
			n := 0
			return fakeTCP(t, func(b []byte) {
				if n++; n%5 == 0 {
					b[len(b)-1] ^= 1
				}
			})
		}, false, true, false},
	}
	for _, tt := range tests {
		for _, rate := range []float64{0, 2000} {
			t.Run(tt.name+map[bool]string{true: " open", false: " closed"}[rate > 0], func(t *testing.T) {
				out, _, _ := testOutput(output.JSON)
				m := MeasureConfig{Size: 64, Count: 100, Conns: 1, Rate: rate}
				cfg := tt.cfg(t)
				if !tt.wantLost {
					// Nothing is dropped: an echo late only because a loaded
					// machine held it must not count as lost.
					cfg.LostTimeout = 5 * time.Second
				}
				sum, err := Measure(context.Background(), cfg, m, out)
				if sum == nil {
					t.Fatal(err)
				}
				if got := sum.Lost > 0; got != tt.wantLost {
					t.Errorf("lost %d", sum.Lost)
				}
				if got := sum.Mismatched > 0; got != tt.wantMismatch {
					t.Errorf("mismatched %d", sum.Mismatched)
				}
				if got := sum.Late > 0; got != tt.wantLate {
					t.Errorf("late %d", sum.Late)
				}
				if sum.Echoed+sum.Mismatched+sum.Lost != sum.Sent || sum.Sent != 100 {
					t.Errorf("sent %d != echoed %d + mismatched %d + lost %d", sum.Sent, sum.Echoed, sum.Mismatched, sum.Lost)
				}
				if tt.wantMismatch != (err != nil && strings.Contains(err.Error(), "differed")) {
					t.Errorf("error %v", err)
				}
			})
		}
	}
}
