package echo

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goperf/goperf/engine/output"
	"github.com/goperf/goperf/engine/transport"
	"github.com/goperf/goperf/sockopt"
)

// TestThousandConns runs ping-pong on 1000 TCP connections at once against
// one server for a bounded time: every connection must finish without an
// error, and afterwards the server must hold no connection and no
// goroutine must be left over.
func TestThousandConns(t *testing.T) {
	const conns = 1000
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil && lim.Cur < 2*conns+100 {
		lim.Cur = min(lim.Max, 2*conns+100) // Go raises the soft limit at start-up; be sure
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur < 2*conns+100 {
			t.Skipf("RLIMIT_NOFILE %d is too low for %d connections", lim.Cur, conns)
		}
	}
	ignore := goleak.IgnoreCurrent()
	ts := startServer(t, ServerConfig{})
	out, _, _ := testOutput(output.JSON)
	m := MeasureConfig{Size: 64, Duration: time.Second, Warmup: 100 * time.Millisecond, Conns: conns}
	sum, err := Measure(context.Background(), ts.client(TCP), m, out)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Errors != 0 || sum.Mismatched != 0 || sum.Echoed < conns || sum.Conns != conns {
		t.Errorf("%d connections: %d errors, %d mismatched, %d echoed", sum.Conns, sum.Errors, sum.Mismatched, sum.Echoed)
	}
	t.Logf("%d connections: %d echoes, %.0f per second, p50 %v, p99 %v", conns, sum.Echoed, sum.MessagesPerSecond(), sum.RTT.P50, sum.RTT.P99)
	waitFor(t, "the server to drop every connection", func() bool { return ts.Conns() == 0 })
	ts.stop()
	goleak.VerifyNone(t, ignore)
}

// waitFor polls cond for up to five seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestBadPeers sends the server what a careless or hostile peer sends,
// then checks that it still echoes.
func TestBadPeers(t *testing.T) {
	tests := []struct {
		name  string
		proto Proto
		peer  func(t *testing.T, addr string)
	}{
		{"udp garbage", UDP, udpGarbage},
		{"half close", TCP, halfClose},
		{"silent client", TCP, silentClient},
		{"reset mid-message", TCP, func(t *testing.T, addr string) { closeMidMessage(t, addr, true) }},
		{"close mid-message", TCP, func(t *testing.T, addr string) { closeMidMessage(t, addr, false) }},
		{"reset while echoing", TCP, resetWhileEchoing},
		{"never reads", TCP, neverReads},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, ServerConfig{Proto: tt.proto, IdleTimeout: 200 * time.Millisecond})
			tt.peer(t, ts.Addr().String())
			assertEchoes(t, ts.client(tt.proto))
			if tt.proto == TCP {
				waitFor(t, "the bad connection to go", func() bool { return ts.Conns() == 0 })
			}
		})
	}
}

// udpGarbage sends random datagrams from empty to the largest, and reads
// what comes back.
func udpGarbage(t *testing.T, addr string) {
	c := dialT(t, "udp", addr)
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 15, 16, 17, 1500, 9000, MaxUDPPayload} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		if _, err := c.Write(b); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, maxUDPDatagram)
		_ = c.SetReadDeadline(time.Now().Add(time.Second))
		k, err := c.Read(got)
		if err != nil || string(got[:k]) != string(b) {
			t.Errorf("%d bytes of garbage: echo of %d bytes, %v", n, k, err)
		}
	}
}

// halfClose sends, closes its sending side, and expects the echo then EOF.
func halfClose(t *testing.T, addr string) {
	c := dialT(t, "tcp", addr)
	if _, err := c.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "hello" {
		t.Errorf("after a half-close: %q, %v; want the echo, then EOF", got, err)
	}
}

// silentClient connects and says nothing; meanwhile others are served, and
// the idle timeout closes it.
func silentClient(t *testing.T, addr string) {
	c := dialT(t, "tcp", addr)
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	start := time.Now()
	if n, err := c.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("silent client: read %d, %v; want EOF from the idle timeout", n, err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("idle timeout of 200ms took %v", d)
	}
}

// closeMidMessage sends part of a message and closes, with a reset or not.
func closeMidMessage(t *testing.T, addr string, reset bool) {
	c := dialT(t, "tcp", addr)
	msg := newMessage(64)
	if _, err := c.Write(msg[:20]); err != nil {
		t.Fatal(err)
	}
	if reset {
		_ = c.(*net.TCPConn).SetLinger(0)
	}
	c.Close()
}

// resetWhileEchoing sends a lot without reading, then resets, so the
// server's write fails.
func resetWhileEchoing(t *testing.T, addr string) {
	c := dialT(t, "tcp", addr)
	_ = c.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
	_, _ = c.Write(make([]byte, 8<<20)) // stops when both directions' buffers are full
	_ = c.(*net.TCPConn).SetLinger(0)
	c.Close()
}

// neverReads sends a lot and never reads the echoes: the server's write
// blocks until the idle timeout closes the connection.
func neverReads(t *testing.T, addr string) {
	c := dialT(t, "tcp", addr)
	_ = c.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
	_, _ = c.Write(make([]byte, 8<<20))
	_ = c.SetWriteDeadline(time.Time{})
	_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, err := io.Copy(io.Discard, c) // what was echoed, then EOF or a reset
	if err != nil && !transport.IsGone(err) {
		t.Errorf("a client that never reads: %v; want the server to close the connection", err)
	}
}

func dialT(t *testing.T, network, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout(network, addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestBusy fills a server and checks the refusal in both client modes,
// then that a freed slot is used again.
func TestBusy(t *testing.T) {
	ts := startServer(t, ServerConfig{MaxConns: 2})
	var held []net.Conn
	for range 2 {
		c := dialT(t, "tcp", ts.Addr().String())
		if _, err := c.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, make([]byte, 1)); err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	out, _, _ := testOutput(output.Text)
	err := Plain(context.Background(), ts.client(TCP), strings.NewReader("hello\n"), out)
	if !errors.Is(err, ErrServerFull) || !strings.Contains(err.Error(), "server busy: 2 connections") {
		t.Errorf("plain mode: got %v, want the server's refusal", err)
	}
	for _, rate := range []float64{0, 100} {
		_, err = Measure(context.Background(), ts.client(TCP), MeasureConfig{Size: 64, Count: 5, Conns: 1, Rate: rate}, out)
		if !errors.Is(err, ErrServerFull) {
			t.Errorf("measuring at rate %v: got %v, want ErrServerFull", rate, err)
		}
	}
	held[0].Close()
	waitFor(t, "a free slot", func() bool { return ts.Conns() < 2 })
	assertEchoes(t, ts.client(TCP))
}

// TestWindow: -w reaches the server's and the client's sockets, read back
// from the kernel (which doubles what was asked, and may cap it at
// rmem_max/wmem_max without CAP_NET_ADMIN: the test asks below the
// default caps when it is not root).
func TestWindow(t *testing.T) {
	const window = 128 << 10
	for _, proto := range []Proto{TCP, UDP} {
		ts := startServer(t, ServerConfig{Proto: proto, Window: window})
		var sc syscall.Conn = ts.pc
		if proto == TCP {
			sc = ts.ln.(*net.TCPListener)
		}
		g, err := sockopt.Read(sc)
		if err != nil {
			t.Skipf("no socket options here: %v", err)
		}
		if g.RecvBuffer < testWindow || g.SendBuffer < testWindow {
			t.Errorf("%v server: buffers %d/%d, asked %d", proto, g.SendBuffer, g.RecvBuffer, testWindow)
		}
		cfg := ts.client(proto)
		cfg.Window = window
		conn, err := dial(context.Background(), &cfg)
		if err != nil {
			t.Fatal(err)
		}
		g, _ = sockopt.Read(conn.(syscall.Conn))
		conn.Close()
		if g.RecvBuffer < window || g.SendBuffer < window {
			t.Errorf("%v client: buffers %d/%d, asked %d", proto, g.SendBuffer, g.RecvBuffer, window)
		}
	}
}
