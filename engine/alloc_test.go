package engine

import (
	"io"
	"net"
	"testing"
	"time"
)

// tcpPair returns a connected loopback pair.
func tcpPair(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); s.Close() })
	return c, s
}

// TestSendAllocs asserts that one send step allocates nothing, unpaced and
// paced, with a budget.
func TestSendAllocs(t *testing.T) {
	for _, paced := range []bool{false, true} {
		c, s := tcpPair(t)
		go func() { _, _ = io.Copy(io.Discard, s) }()
		st := newStream(1, c, true, 8<<10)
		st.epoch = time.Now()
		st.budget = newBudget(&Spec{Bytes: 1 << 40}, func() {})
		var timer *time.Timer
		if paced {
			st.pacer = newPacer(100e9, len(st.buf)) // fast enough never to wait long
			timer = time.NewTimer(time.Hour)
			timer.Stop()
		}
		if n := testing.AllocsPerRun(1000, func() {
			if _, err := st.sendStep(timer); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("paced=%v: %v allocations per send", paced, n)
		}
	}
}

// TestRecvAllocs asserts that one receive step allocates nothing.
func TestRecvAllocs(t *testing.T) {
	c, s := tcpPair(t)
	go func() {
		buf := make([]byte, 64<<10)
		for {
			if _, err := s.Write(buf); err != nil {
				return
			}
		}
	}()
	st := newStream(1, c, false, 8<<10)
	st.budget = newBudget(&Spec{Bytes: 1 << 40}, func() {})
	if n := testing.AllocsPerRun(1000, func() {
		if err := st.recvStep(); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("%v allocations per receive", n)
	}
}
