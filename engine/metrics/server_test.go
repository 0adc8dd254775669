package metrics

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goperf/goperf/engine"
	"github.com/goperf/goperf/engine/auth"
	"github.com/goperf/goperf/engine/wire"
)

// The counters equal what the tests' own results say, to the byte: each
// flow's bytes as the server counted them (its side of the summary), by
// protocol and by whether the server received or sent them, and each
// test's series carry the same figures.
func TestServerAccountsBytes(t *testing.T) {
	w := startWatched(t, engine.ServerConfig{}, ServerOptions{})
	specs := []engine.Spec{
		{Proto: engine.TCP},
		{Proto: engine.TCP, Direction: engine.Reverse, Streams: 2},
		{Proto: engine.UDP, Direction: engine.Bidir, Bitrate: 20e6, Length: 1200},
	}
	want := map[string]float64{}
	for i, sp := range specs {
		sum, err := run(t, w.client(t, sp))
		if err != nil {
			t.Fatalf("test %d: %v", i+1, err)
		}
		// The server books the test after IPERF_DONE, which follows the
		// client's results.
		waitFor(t, w.reg, "goperf_server_test_success", func(v float64) bool { return v == 1 }, "test", strconv.Itoa(i+1))
		fams := families(t, w.reg)
		for _, tot := range []*engine.Totals{&sum.Forward, sum.Reverse} {
			if tot == nil {
				continue
			}
			// The client's summary holds the server's own count of each
			// flow: its receiver side when the client sent, else its sender.
			key, flow, bytes := "received_bytes_total", "received", tot.Receiver.Bytes
			if !tot.Local {
				key, flow, bytes = "sent_bytes_total", "sent", tot.Sender.Bytes
			}
			want[key+"/"+protoLabel(sp.Proto)] += float64(bytes)
			got, ok := value(fams, "goperf_server_test_bytes", "test", strconv.Itoa(i+1), "flow", flow)
			if wantRecv := float64(tot.Receiver.Bytes); !ok || got != wantRecv {
				t.Errorf("test %d %s: test_bytes %v (present %v), its receiver counted %v", i+1, flow, got, ok, wantRecv)
			}
		}
		if got, _ := value(fams, "goperf_server_test_info", "test", strconv.Itoa(i+1), "protocol", protoLabel(sp.Proto),
			"direction", directionLabel(sp.Direction), "result", "completed"); got != 1 {
			t.Errorf("test %d: no test_info series for a completed %v %v test", i+1, sp.Proto, sp.Direction)
		}
	}
	fams := families(t, w.reg)
	for _, key := range []string{"received_bytes_total/tcp", "sent_bytes_total/tcp", "received_bytes_total/udp", "sent_bytes_total/udp"} {
		name, proto, _ := strings.Cut(key, "/")
		got, _ := value(fams, "goperf_server_"+name, "protocol", proto)
		if got != want[key] || got == 0 {
			t.Errorf("%s{protocol=%q} = %v, the tests' results add up to %v", name, proto, got, want[key])
		}
	}
	for name, n := range map[string]float64{"goperf_server_tests_started_total": 3, "goperf_server_tests_completed_total": 3,
		"goperf_server_active_tests": 0, "goperf_server_active_streams": 0, "goperf_server_memory_reserved_bytes": 0} {
		if got, _ := value(fams, name); got != n {
			t.Errorf("%s = %v, want %v", name, got, n)
		}
	}
}

// While a test runs, the gauges show it and its streams, and the byte
// counters grow with the running streams' counts; a second test meets
// --max-clients 1 and is refused as busy.
func TestServerWhileRunning(t *testing.T) {
	w := startWatched(t, engine.ServerConfig{MaxTests: 1}, ServerOptions{})
	cfg := w.client(t, engine.Spec{Proto: engine.TCP, Streams: 2, Bitrate: 50e6})
	cfg.Duration = 2 * time.Second
	done := make(chan error, 1)
	go func() { _, err := run(t, cfg); done <- err }()
	first := waitFor(t, w.reg, "goperf_server_received_bytes_total", func(v float64) bool { return v > 0 }, "protocol", "tcp")
	fams := families(t, w.reg)
	if got, _ := value(fams, "goperf_server_active_tests"); got != 1 {
		t.Errorf("active_tests = %v during a test, want 1", got)
	}
	if got, _ := value(fams, "goperf_server_active_streams"); got != 2 {
		t.Errorf("active_streams = %v during a -P 2 test, want 2", got)
	}
	if _, err := run(t, w.client(t, engine.Spec{Proto: engine.TCP})); !errors.Is(err, engine.ErrServerBusy) {
		t.Errorf("second test at --max-clients 1: %v, want busy", err)
	}
	waitFor(t, w.reg, "goperf_server_received_bytes_total", func(v float64) bool { return v > first }, "protocol", "tcp")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got, _ := value(families(t, w.reg), "goperf_server_tests_refused_total", "reason", "busy"); got != 1 {
		t.Errorf("refused{busy} = %v, want 1", got)
	}
}

// waitFor polls name{labels} until ok holds (bounded: 10 s) and returns
// the value.
func waitFor(t *testing.T, reg *Registry, name string, ok func(float64) bool, labels ...string) float64 {
	t.Helper()
	pause := time.Millisecond
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(pause) {
		if v, found := value(families(t, reg), name, labels...); found && ok(v) {
			return v
		}
		pause = min(2*pause, 20*time.Millisecond)
	}
	t.Fatalf("%s%v never reached the value wanted within 10 s", name, labels)
	return 0
}

// Each reason a server refuses a test for lands in its own counter, and
// only there; the client sees the refusal.
func TestServerRefusalReasons(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		reason engine.Reason
		cfg    engine.ServerConfig
		spec   engine.Spec
		raw    func(t *testing.T, conn net.Conn) // speaks to the server instead of a client
	}{
		{reason: engine.ReasonDuration, cfg: engine.ServerConfig{Limits: engine.Limits{MaxDuration: time.Second}},
			spec: engine.Spec{Proto: engine.TCP, Duration: 2 * time.Second}},
		{reason: engine.ReasonRate, cfg: engine.ServerConfig{Limits: engine.Limits{Bitrate: 1e6}},
			spec: engine.Spec{Proto: engine.TCP, Bitrate: 10e6}},
		{reason: engine.ReasonAuth, cfg: engine.ServerConfig{Auth: &auth.Verifier{Key: key}},
			spec: engine.Spec{Proto: engine.TCP}},
		{reason: engine.ReasonMemory, cfg: engine.ServerConfig{MemoryBudget: 4096},
			spec: engine.Spec{Proto: engine.TCP}},
		{reason: engine.ReasonParams, cfg: engine.ServerConfig{NoUDP: true},
			spec: engine.Spec{Proto: engine.UDP, Bitrate: 1e6}},
		{reason: engine.ReasonParams, raw: sendParams(`{"tcp": true, "reverse": true, "bidirectional": true}`)},
		{reason: engine.ReasonTimeout, cfg: engine.ServerConfig{ControlTimeout: 300 * time.Millisecond}, raw: silentAfterCookie},
	}
	for _, c := range cases {
		t.Run(string(c.reason), func(t *testing.T) {
			w := startWatched(t, c.cfg, ServerOptions{})
			if c.raw != nil {
				conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(w.port)), 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				c.raw(t, conn)
			} else if _, err := run(t, w.client(t, c.spec)); err == nil {
				t.Fatal("the test ran; want it refused")
			}
			waitFor(t, w.reg, "goperf_server_tests_refused_total", func(v float64) bool { return v == 1 }, "reason", string(c.reason))
			fams := families(t, w.reg)
			for _, r := range engine.RefusalReasons() {
				if got, _ := value(fams, "goperf_server_tests_refused_total", "reason", string(r)); r != c.reason && got != 0 {
					t.Errorf("refused{%s} = %v as well", r, got)
				}
			}
			if got, _ := value(fams, "goperf_server_tests_started_total"); got != 0 {
				t.Errorf("started = %v for a refused test", got)
			}
		})
	}
}

// sendParams speaks a client's first steps and sends doc as its
// parameters; it waits for the server's answer.
func sendParams(doc string) func(*testing.T, net.Conn) {
	return func(t *testing.T, conn net.Conn) {
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		writeCookie(t, conn)
		readState(t, conn, wire.ParamExchange)
		msg := binary.BigEndian.AppendUint32(nil, uint32(len(doc)))
		if _, err := conn.Write(append(msg, doc...)); err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, conn) // SERVER_ERROR, then the close
	}
}

// silentAfterCookie sends a cookie and then nothing, until the server
// gives up on the parameters.
func silentAfterCookie(t *testing.T, conn net.Conn) {
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	writeCookie(t, conn)
	_, _ = io.Copy(io.Discard, conn)
}

func writeCookie(t *testing.T, conn net.Conn) {
	c := wire.NewCookie()
	if _, err := conn.Write(c[:]); err != nil {
		t.Fatal(err)
	}
}

func readState(t *testing.T, conn net.Conn, want wire.State) {
	var b [1]byte
	if _, err := io.ReadFull(conn, b[:]); err != nil || wire.State(int8(b[0])) != want {
		t.Fatalf("read state %v (%v), want %v", b[0], err, want)
	}
}

// A test that is admitted and then ended by its client counts as failed,
// terminated, with its series saying so; a connection that never sends a
// cookie is counted as dropped.
func TestServerFailuresAndDrops(t *testing.T) {
	w := startWatched(t, engine.ServerConfig{ControlTimeout: 300 * time.Millisecond}, ServerOptions{})
	cfg := w.client(t, engine.Spec{Proto: engine.TCP, Bitrate: 10e6})
	cfg.Duration = 10 * time.Second
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	if _, err := engine.RunClient(ctx, cfg, engine.Output{W: io.Discard}); !errors.Is(err, engine.ErrInterrupted) {
		t.Fatalf("interrupted client: %v", err)
	}
	waitFor(t, w.reg, "goperf_server_tests_failed_total", func(v float64) bool { return v == 1 }, "reason", "terminated")
	conn, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(w.port)))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = conn.Write([]byte("half a cookie"))
	defer conn.Close()
	waitFor(t, w.reg, "goperf_server_connections_dropped_total", func(v float64) bool { return v == 1 }, "reason", "no_cookie")
	fams := families(t, w.reg)
	if got, _ := value(fams, "goperf_server_test_success", "test", "1"); got != 0 {
		t.Errorf("test_success of the terminated test = %v", got)
	}
	if got, ok := value(fams, "goperf_server_test_info", "test", "1", "result", "terminated"); !ok || got != 1 {
		t.Errorf("no test_info{result=terminated} for the terminated test")
	}
	if got, _ := value(fams, "goperf_server_tests_started_total"); got != 1 {
		t.Errorf("started = %v, want 1", got)
	}
}

// After 1000 real tests the server shows the last Keep of them, no more,
// and every counter has counted all 1000. A server books a test after its
// client has the results, so each test's series is waited for before the
// next test starts: the ring keeps tests in the order they ended, and
// this makes that order the order they ran.
func TestServerSeriesBounded(t *testing.T) {
	const tests, keep = 1000, 5
	w := startWatched(t, engine.ServerConfig{}, ServerOptions{Keep: keep})
	cfg := w.client(t, engine.Spec{Proto: engine.TCP, Blocks: 1, Length: 1024})
	series := func() int {
		n := 0
		for name, f := range families(t, w.reg) {
			if strings.HasPrefix(name, "goperf_server_test_") {
				n += len(f.GetMetric())
			}
		}
		return n
	}
	perTest := 0
	for i := 1; i <= tests; i++ {
		if _, err := run(t, cfg); err != nil {
			t.Fatalf("test %d: %v", i, err)
		}
		waitFor(t, w.reg, "goperf_server_test_success", func(v float64) bool { return v == 1 }, "test", strconv.Itoa(i))
		if i == 1 {
			perTest = series()
		}
	}
	if got := series(); got != keep*perTest {
		t.Errorf("after %d tests: %d per-test series, want %d (%d tests × %d)", tests, got, keep*perTest, keep, perTest)
	}
	fams := families(t, w.reg)
	if got, _ := value(fams, "goperf_server_tests_completed_total"); got != tests {
		t.Errorf("completed = %v, want %d", got, tests)
	}
	for i := 1; i <= tests; i++ {
		_, ok := value(fams, "goperf_server_test_success", "test", strconv.Itoa(i))
		if want := i > tests-keep; ok != want {
			t.Errorf("test %d: series present %v, want %v", i, ok, want)
		}
	}
	if got, _ := value(fams, "goperf_server_received_bytes_total", "protocol", "tcp"); got != tests*1024 {
		t.Errorf("received_bytes_total = %v, want %d (%d one-block tests of 1024 bytes)", got, tests*1024, tests)
	}
}
