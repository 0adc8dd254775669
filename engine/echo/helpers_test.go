package echo

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goperf/goperf/engine/enginetest"
	"github.com/goperf/goperf/engine/output"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer = enginetest.Buffer

// testOutput returns an output that collects the report and the log.
func testOutput(format output.Format) (output.Output, *syncBuffer, *syncBuffer) {
	w, log := &syncBuffer{}, &syncBuffer{}
	logf := func(f string, a ...any) { fmt.Fprintf(log, f+"\n", a...) }
	return output.Output{W: w, Format: format, Log: output.Logger{Errorf: logf, Verbosef: logf}}, w, log
}

// testServer is an echo server on a loopback port, stopped at cleanup.
type testServer struct {
	*Server
	port int
	log  *syncBuffer
	stop func() // ends the server and waits for it; idempotent
}

// startServer runs a server for cfg on 127.0.0.1 with an ephemeral port.
func startServer(t *testing.T, cfg ServerConfig) *testServer {
	t.Helper()
	cfg.Bind = "127.0.0.1"
	cfg.Window = max(cfg.Window, testWindow)
	out, _, log := testOutput(output.Text)
	srv := NewServer(cfg, out)
	ctx, cancel := context.WithCancel(context.Background())
	if err := srv.Listen(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	port, _ := strconv.Atoi(portOf(srv.Addr()))
	var once sync.Once
	ts := &testServer{Server: srv, port: port, log: log}
	ts.stop = func() {
		once.Do(func() {
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
	}
	t.Cleanup(ts.stop)
	return ts
}

func portOf(a net.Addr) string {
	_, port, _ := net.SplitHostPort(a.String())
	return port
}

// client returns a client configuration for the server.
func (ts *testServer) client(proto Proto) ClientConfig {
	return ClientConfig{Proto: proto, Host: "127.0.0.1", Port: ts.port, LostTimeout: testLostTimeout,
		StallTimeout: 2 * time.Second, Window: testWindow}
}

// What a loaded machine needs of a clean UDP run. Its sockets hold every
// datagram a test sends (at most 1000 messages of at most 1000 bytes, about
// 2.3 KB each in the kernel's accounting), so a server or client that a
// CPU hog keeps off the CPU drops none; and an echo counts lost only after
// 5 s. A run that loses nothing waits only until the last echo is back.
const (
	testWindow      = 4 << 20
	testLostTimeout = 5 * time.Second
)

// assertEchoes checks that the server still echoes: a short closed-loop
// run must see every message come back.
func assertEchoes(t *testing.T, cfg ClientConfig) {
	t.Helper()
	out, _, _ := testOutput(output.JSON)
	sum, err := Measure(context.Background(), cfg, MeasureConfig{Size: 64, Count: 20, Conns: 1}, out)
	if err != nil {
		t.Fatalf("echo after the bad input: %v", err)
	}
	if sum.Echoed != 20 {
		t.Fatalf("echo after the bad input: %d of 20 echoed", sum.Echoed)
	}
}

// eachProto runs f as a subtest for TCP and UDP.
func eachProto(t *testing.T, f func(t *testing.T, proto Proto)) {
	for _, p := range []Proto{TCP, UDP} {
		t.Run(network(p), func(t *testing.T) { f(t, p) })
	}
}
