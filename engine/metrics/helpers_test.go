package metrics

import (
	"context"
	"net"
	"os"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/goperf/goperf/engine"
	"github.com/goperf/goperf/engine/enginetest"
)

// testIO is GOPERF_IO's mode, as the engine's own suites read it, so that
// make test-modes runs these in each mode too.
func testIO(t testing.TB) engine.IOMode {
	var m engine.IOMode
	if v := os.Getenv("GOPERF_IO"); v != "" {
		if err := m.UnmarshalText([]byte(v)); err != nil {
			t.Fatalf("GOPERF_IO: %v", err)
		}
	}
	return m
}

// watched is a goperf server on loopback with its collector registered.
type watched struct {
	srv  *engine.Server
	reg  *Registry
	port int
	logs *enginetest.Buffer
}

// startWatched runs a server for cfg with ServerMetrics of o, stopped at
// cleanup.
func startWatched(t *testing.T, cfg engine.ServerConfig, o ServerOptions) *watched {
	t.Helper()
	w := &watched{reg: NewRegistry(), logs: &enginetest.Buffer{}}
	sm := NewServerMetrics(func() engine.ServerStats { return w.srv.Stats() }, o)
	w.reg.MustRegister(sm)
	cfg.Bind, cfg.Observe, cfg.IO = "127.0.0.1", sm.Observe, testIO(t)
	w.srv = engine.NewServer(cfg, engine.Output{W: &enginetest.Buffer{}, Format: engine.JSON,
		Log: engine.Logger{Errorf: func(string, ...any) {}}})
	ctx, cancel := context.WithCancel(context.Background())
	if err := w.srv.Listen(ctx); err != nil {
		t.Fatal(err)
	}
	w.port = w.srv.Addr().(*net.TCPAddr).Port
	done := make(chan error, 1)
	go func() { done <- w.srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("server did not stop within 20 s")
		}
	})
	return w
}

// client returns a short test of spec against w.
func (w *watched) client(t testing.TB, spec engine.Spec) engine.ClientConfig {
	if spec.Streams == 0 {
		spec.Streams = 1
	}
	if spec.Length == 0 && spec.Proto == engine.TCP {
		spec.Length = engine.DefaultTCPLength
	}
	if spec.Duration == 0 && spec.Bytes == 0 && spec.Blocks == 0 {
		spec.Duration = 300 * time.Millisecond
	}
	return engine.ClientConfig{Spec: spec, Host: "127.0.0.1", Port: w.port, IO: testIO(t)}
}

// run runs cfg, bounded at 30 s.
func run(t testing.TB, cfg engine.ClientConfig) (*engine.Summary, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return engine.RunClient(ctx, cfg, engine.Output{W: &enginetest.Buffer{}})
}

// families gathers reg, by family name.
func families(t testing.TB, reg *Registry) map[string]*dto.MetricFamily {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	m := map[string]*dto.MetricFamily{}
	for _, f := range fams {
		m[f.GetName()] = f
	}
	return m
}

// value is the value of the series of name with labels (all of them
// matching, others free); ok is false when there is none.
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
	for _, m := range f.GetMetric() {
		if !hasLabels(m, labels) {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		}
	}
	return 0, false
}

// hasLabels reports whether m has each name=value pair of kv.
func hasLabels(m *dto.Metric, kv []string) bool {
	for i := 0; i+1 < len(kv); i += 2 {
		found := false
		for _, l := range m.GetLabel() {
			if l.GetName() == kv[i] && l.GetValue() == kv[i+1] {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}
