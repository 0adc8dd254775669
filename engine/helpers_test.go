package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goperf/goperf/engine/enginetest"
)

func TestMain(m *testing.M) {
	if err := testIO.UnmarshalText([]byte(os.Getenv("GOPERF_IO"))); os.Getenv("GOPERF_IO") != "" && err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if env := os.Getenv(childEnv); env != "" {
		os.Exit(runChild(env))
	}
	goleak.VerifyTestMain(m)
}

// testIO is the I/O mode every test's clients and servers use: auto, or
// what GOPERF_IO names, so that the suites can be run in each mode (make
// test-modes), as goperf's --io flag reads it.
var testIO IOMode

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer = enginetest.Buffer

// testServer is a goperf server on a loopback port, stopped at cleanup.
type testServer struct {
	*Server
	out    *syncBuffer
	errs   *syncBuffer // the server's error log
	notes  *syncBuffer // its verbose log
	port   int
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

// startServer runs a server on 127.0.0.1 with an ephemeral port.
func startServer(t *testing.T, cfg ServerConfig, format Format) *testServer {
	t.Helper()
	cfg.Bind = "127.0.0.1"
	if cfg.IO == IOAuto {
		cfg.IO = testIO
	}
	ts := &testServer{out: &syncBuffer{}, errs: &syncBuffer{}, notes: &syncBuffer{}, done: make(chan error, 1)}
	logTo := func(w io.Writer) func(string, ...any) {
		return func(f string, a ...any) { _, _ = io.WriteString(w, strings.TrimSpace(fmt.Sprintf(f, a...))+"\n") }
	}
	out := Output{W: ts.out, Format: format, Log: Logger{Errorf: logTo(ts.errs), Verbosef: logTo(ts.notes)}}
	ts.Server = NewServer(cfg, out)
	var ctx context.Context
	ctx, ts.cancel = context.WithCancel(context.Background())
	if err := ts.Listen(ctx); err != nil {
		t.Fatal(err)
	}
	ts.port = ts.Addr().(*net.TCPAddr).Port
	go func() { ts.done <- ts.Serve(ctx) }()
	t.Cleanup(ts.stop)
	return ts
}

// stop cancels the server and waits for Serve to return.
func (ts *testServer) stop() {
	ts.once.Do(func() {
		ts.cancel()
		select {
		case <-ts.done:
		case <-time.After(20 * time.Second):
			panic("server did not stop within 20 s")
		}
	})
}

// clientConfig returns a short test against ts.
func (ts *testServer) clientConfig(spec Spec) ClientConfig {
	if spec.Length == 0 {
		spec.Length = DefaultTCPLength
	}
	if spec.Streams == 0 {
		spec.Streams = 1
	}
	if spec.Duration == 0 && spec.Bytes == 0 && spec.Blocks == 0 {
		spec.Duration = 300 * time.Millisecond
	}
	return ClientConfig{Spec: spec, Host: "127.0.0.1", Port: ts.port, IO: testIO}
}

// runClient runs a client with JSON output and returns its summary and
// its decoded document.
func runClient(t *testing.T, cfg ClientConfig) (*Summary, map[string]any, error) {
	t.Helper()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sum, err := RunClient(ctx, cfg, Output{W: &out, Format: JSON})
	var doc map[string]any
	if jerr := json.Unmarshal(out.Bytes(), &doc); jerr != nil {
		t.Fatalf("client JSON output does not parse: %v\n%s", jerr, out.String())
	}
	return sum, doc, err
}

// serverDocs decodes the JSON documents a JSON-format server printed.
func serverDocs(t *testing.T, out string) []map[string]any {
	t.Helper()
	var docs []map[string]any
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var d map[string]any
		if err := dec.Decode(&d); err != nil {
			t.Fatalf("server JSON output: %v\n%s", err, out)
		}
		docs = append(docs, d)
	}
	return docs
}

// path walks a decoded JSON document: keys for objects, ints for arrays.
func path(v any, keys ...any) any {
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

// num reads a number from a decoded document, or -1 when absent.
func num(v any, keys ...any) float64 {
	f, ok := path(v, keys...).(float64)
	if !ok {
		return -1
	}
	return f
}
