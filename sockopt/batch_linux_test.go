//go:build !goperf_portable

package sockopt

import (
	"bytes"
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

// udpPair returns two UDP sockets on loopback connected to each other.
func udpPair(t *testing.T) (a, b *net.UDPConn) {
	t.Helper()
	la, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	b, err = net.DialUDP("udp4", nil, la.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	la.Close()
	a, err = net.DialUDP("udp4", la.LocalAddr().(*net.UDPAddr), b.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

func newTestBatcher(t *testing.T, c *net.UDPConn, cfg BatchConfig) *Batcher {
	t.Helper()
	bt, err := NewBatcher(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return bt
}

// datagram returns size bytes that start with the number i.
func datagram(i, size int) []byte {
	p := bytes.Repeat([]byte{byte(i)}, size)
	return p
}

// recvAll receives until want datagrams arrived or a second passes, and
// returns them split at their segment size.
func recvAll(t *testing.T, r *Batcher, c *net.UDPConn, bufSize, want int) [][]byte {
	t.Helper()
	bufs := make([][]byte, 8)
	for i := range bufs {
		bufs[i] = make([]byte, bufSize)
	}
	sizes, segs := make([]int, 8), make([]int, 8)
	c.SetReadDeadline(time.Now().Add(time.Second))
	var got [][]byte
	for len(got) < want {
		n, err := r.Recv(bufs, sizes, segs)
		if err != nil {
			t.Fatalf("after %d datagrams: %v", len(got), err)
		}
		for i := range n {
			p, seg := bufs[i][:sizes[i]], segs[i]
			if seg == 0 {
				seg = len(p)
			}
			for len(p) > 0 {
				d := p[:min(seg, len(p))]
				got = append(got, bytes.Clone(d))
				p = p[len(d):]
			}
		}
	}
	return got
}

func TestBatcherRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name     string
		gso, gro bool
		perMsg   int
	}{
		{"plain", false, false, 1},
		{"gso", true, false, 10},
		{"gso+gro", true, true, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := udpPair(t)
			s := newTestBatcher(t, a, BatchConfig{Batch: 8, GSO: tc.gso})
			r := newTestBatcher(t, b, BatchConfig{Batch: 8, GRO: tc.gro})
			gso, _ := s.Offload()
			_, gro := r.Offload()
			if gso != tc.gso || gro != tc.gro {
				t.Skipf("kernel offloads gso=%v gro=%v", gso, gro)
			}
			const size, total = 1000, 40
			var msgs [][]byte
			for i := 0; i < total; i += tc.perMsg {
				var m []byte
				for j := range tc.perMsg {
					m = append(m, datagram(i+j, size)...)
				}
				msgs = append(msgs, m)
			}
			seg := 0
			if tc.gso {
				seg = size
			}
			for done := 0; done < len(msgs); {
				n, err := s.Send(msgs[done:], seg)
				if err != nil {
					t.Fatal(err)
				}
				done += n
			}
			got := recvAll(t, r, b, 65535, total)
			if len(got) != total {
				t.Fatalf("received %d datagrams, want %d", len(got), total)
			}
			for i, d := range got {
				if !bytes.Equal(d, datagram(i, size)) {
					t.Fatalf("datagram %d: %d bytes starting %d", i, len(d), d[0])
				}
			}
			if calls := s.Syscalls(); calls > uint64(len(msgs)+7)/8+1 {
				t.Errorf("%d send calls for %d messages in batches of 8", calls, len(msgs))
			}
		})
	}
}

func TestBatcherSegmentWithoutGSO(t *testing.T) {
	a, _ := udpPair(t)
	s := newTestBatcher(t, a, BatchConfig{Batch: 4})
	if _, err := s.Send([][]byte{make([]byte, 200)}, 100); err == nil {
		t.Fatal("a segment size without GSO must fail")
	}
}

func TestBatcherTruncated(t *testing.T) {
	a, b := udpPair(t)
	r := newTestBatcher(t, b, BatchConfig{Batch: 4})
	if _, err := a.Write(make([]byte, 300)); err != nil {
		t.Fatal(err)
	}
	bufs, sizes, segs := [][]byte{make([]byte, 100)}, []int{0}, []int{0}
	b.SetReadDeadline(time.Now().Add(time.Second))
	if n, err := r.Recv(bufs, sizes, segs); err != nil || n != 1 {
		t.Fatalf("Recv = %d, %v", n, err)
	}
	if sizes[0] != 101 {
		t.Errorf("a truncated datagram reported as %d bytes, want 101", sizes[0])
	}
}

func TestBatcherDeadline(t *testing.T) {
	_, b := udpPair(t)
	r := newTestBatcher(t, b, BatchConfig{Batch: 4})
	b.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	_, err := r.Recv([][]byte{make([]byte, 10)}, []int{0}, []int{0})
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Recv past its deadline: %v", err)
	}
}

// TestBatcherDropped overflows a small receive buffer and expects the
// socket's drop counter to say so.
func TestBatcherDropped(t *testing.T) {
	a, b := udpPair(t)
	b.SetReadBuffer(4096)
	r := newTestBatcher(t, b, BatchConfig{Batch: 4, Drops: true})
	for range 200 {
		a.Write(make([]byte, 1000))
	}
	recvAll(t, r, b, 2000, 1)
	d, ok := r.Dropped()
	if !ok || d == 0 {
		t.Fatalf("Dropped = %d, %v after overflowing the buffer", d, ok)
	}
}

func TestBatcherAllocs(t *testing.T) {
	a, b := udpPair(t)
	s := newTestBatcher(t, a, BatchConfig{Batch: 8, GSO: true})
	r := newTestBatcher(t, b, BatchConfig{Batch: 8, GRO: true, Drops: true})
	msgs := [][]byte{make([]byte, 4000), make([]byte, 4000)}
	bufs := [][]byte{make([]byte, 65535), make([]byte, 65535)}
	sizes, segs := make([]int, 2), make([]int, 2)
	seg := 0
	if gso, _ := s.Offload(); gso {
		seg = 1000
	}
	b.SetReadDeadline(time.Now().Add(5 * time.Second))
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := s.Send(msgs, seg); err != nil {
			t.Fatal(err)
		}
		for got := 0; got < 2*4000; {
			n, err := r.Recv(bufs, sizes, segs)
			if err != nil {
				t.Fatal(err)
			}
			for i := range n {
				got += sizes[i]
			}
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per send and receive", allocs)
	}
}

// TestBatcherSpin: a blocking Batcher with Spin polls an empty socket for
// the whole spin, counts it (Polled), then sleeps to the socket's timeout
// and returns nothing; a datagram then queued is received.
func TestBatcherSpin(t *testing.T) {
	const timeout, spin = 5 * time.Millisecond, 2 * time.Millisecond
	a, b := udpPair(t)
	f, err := DupBlocking(b, timeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	r, err := NewBatcher(f, BatchConfig{Batch: 4, Blocking: true, Spin: spin})
	if err != nil {
		t.Fatal(err)
	}
	bufs, sizes, segs := [][]byte{make([]byte, 2048)}, make([]int, 1), make([]int, 1)
	if n, err := r.Recv(bufs, sizes, segs); n != 0 || err != nil || r.Polled() < spin {
		t.Errorf("empty socket: %d, %v, polled %v; want nothing after polling %v", n, err, r.Polled(), spin)
	}
	if _, err := a.Write(datagram(1, 100)); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; {
		n, err := r.Recv(bufs, sizes, segs)
		if n == 1 && err == nil && sizes[0] == 100 {
			break
		}
		if err != nil || time.Now().After(deadline) {
			t.Fatalf("the datagram: %d, %v, size %d", n, err, sizes[0])
		}
	}
}
