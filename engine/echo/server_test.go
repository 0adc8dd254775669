package echo

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// startServer runs a server on a free loopback port until the test ends.
func startServer(t *testing.T, cfg ServerConfig) int {
	t.Helper()
	cfg.Bind = "127.0.0.1"
	srv := NewServer(cfg, io.Discard, func(string, ...any) {})
	ctx, cancel := context.WithCancel(context.Background())
	if err := srv.Listen(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("server did not stop within 5 s")
		}
	})
	if cfg.UDP {
		return srv.Addr().(*net.UDPAddr).Port
	}
	return srv.Addr().(*net.TCPAddr).Port
}

// echoLines runs the plain client on in and returns what it printed.
func echoLines(t *testing.T, cfg ClientConfig, in string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := Dial(ctx, cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var out bytes.Buffer
	if err := EchoLines(ctx, conn, cfg, strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// TestPlainEcho echoes lines, one longer than the buffer, over TCP and UDP.
func TestPlainEcho(t *testing.T) {
	in := "hello\nworld\n" + strings.Repeat("0123456789", 10) + "\nno newline at the end"
	for _, udp := range []bool{false, true} {
		port := startServer(t, ServerConfig{UDP: udp})
		got := echoLines(t, ClientConfig{Host: "127.0.0.1", Port: port, UDP: udp, Buffer: 16}, in)
		if got != in {
			t.Errorf("udp=%v: echoed %q, want %q", udp, got, in)
		}
	}
}

// TestServerSurvivesBadInput sends what a careless or hostile peer sends,
// and checks after each that a normal client is still served.
func TestServerSurvivesBadInput(t *testing.T) {
	tcpPort := startServer(t, ServerConfig{IdleTimeout: 300 * time.Millisecond})
	udpPort := startServer(t, ServerConfig{UDP: true})
	tcpAddr := net.JoinHostPort("127.0.0.1", itoa(tcpPort))
	healthy := func(what string) {
		t.Helper()
		for _, c := range []ClientConfig{{Port: tcpPort}, {Port: udpPort, UDP: true}} {
			c.Host = "127.0.0.1"
			if got := echoLines(t, c, "still there?\n"); got != "still there?\n" {
				t.Fatalf("after %s: echoed %q", what, got)
			}
		}
	}
	// UDP garbage, empty datagrams and the largest datagram.
	u, err := net.Dial("udp", net.JoinHostPort("127.0.0.1", itoa(udpPort)))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range [][]byte{nil, {0xff}, bytes.Repeat([]byte{0}, MaxDatagram), []byte("\x00\x01garbage")} {
		_, _ = u.Write(p)
	}
	u.Close()
	healthy("UDP garbage")

	// A half-closed connection still gets its echo, then EOF.
	c, err := net.Dial("tcp", tcpAddr)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.Write([]byte("half"))
	_ = c.(*net.TCPConn).CloseWrite()
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if b, err := io.ReadAll(c); err != nil || string(b) != "half" {
		t.Errorf("half-closed: read %q, %v", b, err)
	}
	c.Close()
	healthy("a half-closed connection")

	// A client that connects and says nothing is closed at the idle timeout.
	c, err = net.Dial("tcp", tcpAddr)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
	start := time.Now()
	if _, err := c.Read(make([]byte, 1)); err != io.EOF || time.Since(start) > 2*time.Second {
		t.Errorf("silent client: %v after %v, want EOF at the idle timeout", err, time.Since(start))
	}
	c.Close()
	healthy("a silent client")

	// A peer that resets the connection in the middle of a message.
	c, err = net.Dial("tcp", tcpAddr)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.Write(bytes.Repeat([]byte("x"), 1<<20))
	_ = c.(*net.TCPConn).SetLinger(0)
	c.Close()
	healthy("a reset mid-message")
}

// TestConnectionLimit checks that a connection beyond the limit is told
// why, and that the measuring client says so in one error.
func TestConnectionLimit(t *testing.T) {
	port := startServer(t, ServerConfig{MaxConns: 1})
	first, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	_, _ = first.Write([]byte("x")) // served: holds the only slot
	_, _ = first.Read(make([]byte, 1))
	_, err = Measure(context.Background(), ClientConfig{Host: "127.0.0.1", Port: port, Size: 64, Duration: time.Second})
	if err == nil || !strings.Contains(err.Error(), "server busy") {
		t.Errorf("over the limit: %v", err)
	}
}

// TestThousandConnections runs ping-pong on 1000 connections at once for a
// bounded time against one server: all finish without an error, and no
// goroutine outlives the test.
func TestThousandConnections(t *testing.T) {
	baseline := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, baseline) }) // after the server stops
	port := startServer(t, ServerConfig{})
	res, err := Measure(context.Background(), ClientConfig{Host: "127.0.0.1", Port: port, Size: 64, Conns: 1000, Duration: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d echoes, p50 %v, p99 %v", res.Received, res.Hist.Quantile(0.5), res.Hist.Quantile(0.99))
	if res.Errors != 0 || res.Mismatched != 0 || res.Lost != 0 || res.Received < 1000 {
		t.Errorf("1000 connections: %+v", res.Counts)
	}
}

// TestMeasure runs each measuring mode over TCP and UDP and checks the
// counts, the percentiles' order and the JSON document.
func TestMeasure(t *testing.T) {
	for _, udp := range []bool{false, true} {
		port := startServer(t, ServerConfig{UDP: udp})
		for _, rate := range []float64{0, 2000} {
			cfg := ClientConfig{Host: "127.0.0.1", Port: port, UDP: udp, Size: 64, Conns: 2, Duration: 500 * time.Millisecond, Warmup: 100 * time.Millisecond, Rate: rate}
			res, err := Measure(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			h := &res.Hist
			if res.Received == 0 || res.Mismatched != 0 || res.Errors != 0 || h.Count() != res.Received {
				t.Errorf("udp=%v rate=%v: %+v, %d recorded", udp, rate, res.Counts, h.Count())
			}
			if rate > 0 && (res.Sent < 900 || res.Sent > 1100) {
				t.Errorf("open loop at 2000/s for 0.5 s sent %d", res.Sent)
			}
			if !(h.Min() <= h.Quantile(0.5) && h.Quantile(0.5) <= h.Quantile(0.99) && h.Quantile(0.99) <= h.Max()) || h.Min() <= 0 {
				t.Errorf("percentiles out of order: min %v p50 %v p99 %v max %v", h.Min(), h.Quantile(0.5), h.Quantile(0.99), h.Max())
			}
			var buf bytes.Buffer
			if err := res.WriteJSON(&buf); err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Received uint64
				RTT      map[string]float64 `json:"rtt_us"`
			}
			if err := json.Unmarshal(buf.Bytes(), &doc); err != nil || doc.Received != res.Received || doc.RTT["p99.99"] <= 0 {
				t.Errorf("JSON %v: %s", err, buf.String())
			}
		}
	}
}

// TestMeasureCountsLostEchoes measures against a UDP peer that never
// answers after the first echo: every message is lost, none hangs.
func TestMeasureCountsLostEchoes(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	go func() {
		buf := make([]byte, 1<<16)
		n, from, err := pc.ReadFrom(buf)
		if err == nil {
			_, _ = pc.WriteTo(buf[:n], from) // the probe only
		}
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	cfg := ClientConfig{Host: "127.0.0.1", Port: pc.LocalAddr().(*net.UDPAddr).Port, UDP: true, Size: 64,
		Count: 3, Timeout: 100 * time.Millisecond}
	res, err := Measure(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Lost != 3 || res.Received != 0 {
		t.Errorf("%+v, want 3 lost", res.Counts)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
