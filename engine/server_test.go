package engine

import (
	"context"
	"errors"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goperf/goperf/engine/wire"
)

// TestConcurrentClients runs three clients against one server at once.
func TestConcurrentClients(t *testing.T) {
	ts := startServer(t, ServerConfig{}, JSON)
	specs := []Spec{{Streams: 2}, {Direction: Reverse}, {Direction: Bidir}}
	var wg sync.WaitGroup
	for _, sp := range specs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sp.Duration = time.Second
			cfg := ts.clientConfig(sp)
			var out strings.Builder
			sum, err := RunClient(context.Background(), cfg, Output{W: &out, Format: Text})
			if err != nil {
				t.Errorf("%v: %v", sp.Direction, err)
				return
			}
			checkSummary(t, &cfg.Spec, sum)
		}()
	}
	wg.Wait()
	ts.stop()
	if docs := serverDocs(t, ts.out.String()); len(docs) != len(specs) {
		t.Errorf("server reported %d tests, want %d; log:\n%s", len(docs), len(specs), ts.errs.String())
	}
}

// TestBusyServer checks that a test beyond the limit is refused at once
// with iperf3's ACCESS_DENIED, and that the running test is unharmed.
func TestBusyServer(t *testing.T) {
	ts := startServer(t, ServerConfig{MaxTests: 1}, JSON)
	long := make(chan error, 1)
	go func() {
		_, _, err := runClient(t, ts.clientConfig(Spec{Duration: 1500 * time.Millisecond, Bitrate: 50e6}))
		long <- err
	}()
	waitFor(t, func() bool { return ts.activeTests() == 1 })
	start := time.Now()
	_, doc, err := runClient(t, ts.clientConfig(Spec{}))
	if !errors.Is(err, ErrServerBusy) {
		t.Errorf("second client: %v, want ErrServerBusy", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("refusal took %v", d)
	}
	if e, _ := doc["error"].(string); !strings.Contains(e, "busy") {
		t.Errorf("JSON error %q", e)
	}
	if path, err := exec.LookPath("iperf3"); err == nil {
		out, err := exec.Command(path, "-c", "127.0.0.1", "-p", strconv.Itoa(ts.port), "-t", "1").CombinedOutput()
		if err == nil || !strings.Contains(string(out), "the server is busy running a test") {
			t.Errorf("stock iperf3 client: %v\n%s", err, out)
		}
	}
	if err := <-long; err != nil {
		t.Errorf("running test: %v", err)
	}
}

// activeTests reports how many tests the server is running.
func (ts *testServer) activeTests() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.active
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not met within 5 s")
}

// TestServerSurvivesBadPeers sends the server what a broken or hostile peer
// might, each on its own, then checks that a normal test still completes.
func TestServerSurvivesBadPeers(t *testing.T) {
	cookie := wire.NewCookie()
	frame := func(body string) []byte {
		b := []byte{0, 0, 0, byte(len(body))}
		return append(b, body...)
	}
	tests := []struct {
		name  string
		send  [][]byte // written in turn; the server's replies are read and ignored
		wantB byte     // first byte the server must answer, 0 = any
	}{
		{"random bytes", [][]byte{[]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxx")}, wire.ParamExchange.Byte()},
		{"half a cookie then close", [][]byte{cookie[:20]}, 0},
		{"2 GB parameters", [][]byte{cookie[:], {0x7f, 0xff, 0xff, 0xff}}, wire.ParamExchange.Byte()},
		{"parameters not JSON", [][]byte{cookie[:], frame("{not json")}, wire.ParamExchange.Byte()},
		{"wrong types", [][]byte{cookie[:], frame(`{"tcp":true,"parallel":"4","len":131072,"time":1}`)}, wire.ParamExchange.Byte()},
		{"negative values", [][]byte{cookie[:], frame(`{"tcp":true,"parallel":1,"len":-5,"time":-1}`)}, wire.ParamExchange.Byte()},
		{"zero streams", [][]byte{cookie[:], frame(`{"tcp":true,"parallel":0,"len":131072,"time":1}`)}, wire.ParamExchange.Byte()},
		{"no streams come", [][]byte{cookie[:], frame(`{"tcp":true,"parallel":1,"len":1024,"time":1}`)}, wire.ParamExchange.Byte()},
	}
	ts := startServer(t, ServerConfig{}, JSON)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", ts.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range tt.send {
				_, _ = conn.Write(b)
			}
			_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			first := make([]byte, 1)
			if _, err := io.ReadFull(conn, first); tt.wantB != 0 && (err != nil || first[0] != tt.wantB) {
				t.Errorf("first byte %x (%v), want %x", first, err, tt.wantB)
			}
			conn.Close()
			if _, _, err := runClient(t, ts.clientConfig(Spec{Duration: 200 * time.Millisecond})); err != nil {
				t.Errorf("a normal test after it: %v", err)
			}
		})
	}
}

// TestSilentConnection checks that a connection that never speaks holds up
// nobody, and is dropped after the cookie timeout.
func TestSilentConnection(t *testing.T) {
	ts := startServer(t, ServerConfig{MaxTests: 1}, JSON)
	conn, err := net.Dial("tcp", ts.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, _, err := runClient(t, ts.clientConfig(Spec{Duration: 200 * time.Millisecond})); err != nil {
		t.Errorf("a test beside a silent connection: %v", err)
	}
}

// TestServerShutdownMidTest cancels the server during a test: the client
// hears SERVER_TERMINATE and says so.
func TestServerShutdownMidTest(t *testing.T) {
	ts := startServer(t, ServerConfig{}, JSON)
	errc := make(chan error, 1)
	go func() {
		_, _, err := runClient(t, ts.clientConfig(Spec{Duration: 10 * time.Second}))
		errc <- err
	}()
	waitFor(t, func() bool { return ts.activeTests() == 1 })
	time.Sleep(300 * time.Millisecond)
	ts.stop()
	select {
	case err := <-errc:
		if !errors.Is(err, ErrServerTerminated) {
			t.Errorf("client: %v, want ErrServerTerminated", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("client still running 5 s after the server stopped")
	}
}

// TestClientErrors checks the client's one-line errors for a port with no
// server and an unreachable network.
func TestClientErrors(t *testing.T) {
	port := freePort(t)
	_, _, err := runClient(t, ClientConfig{Spec: Spec{Streams: 1, Length: 1024, Duration: time.Second}, Host: "127.0.0.1", Port: port, IO: testIO})
	if err == nil || !strings.Contains(err.Error(), "connection refused (is a server running?") {
		t.Errorf("no server: %v", err)
	}
	// A name that is not a valid domain name fails in the resolver itself,
	// without a query leaving the host.
	_, _, err = runClient(t, ClientConfig{Spec: Spec{Streams: 1, Length: 1024, Duration: time.Second}, Host: "no such host", Port: port})
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "no such host") {
		t.Errorf("bad host: %q", err)
	}
}
