package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Endpoint is an HTTP listener with /metrics (reg's collectors, with the
// process's and the Go runtime's: RSS, goroutines) and, when a prober is
// given, /probe.
type Endpoint struct {
	ln  net.Listener
	srv *http.Server
}

// Registry is where an endpoint's collectors register.
type Registry = prometheus.Registry

// NewRegistry returns a registry with the process and Go runtime
// collectors (process_resident_memory_bytes, go_goroutines, ...).
func NewRegistry() *Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), collectors.NewGoCollector())
	return reg
}

// Listen opens addr (host:port, ":9201") for reg's metrics and, if
// prober is not nil, its probes.
func Listen(ctx context.Context, addr string, reg *Registry, prober *Prober) (*Endpoint, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true}))
	if prober != nil {
		mux.Handle("/probe", prober)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintln(w, "goperf: /metrics")
		if prober != nil {
			fmt.Fprintln(w, "goperf: /probe?target=HOST[&port=5201&duration=5s&protocol=tcp|udp&reverse=true&bidir=true&parallel=N&bitrate=RATE&length=SIZE&omit=SECONDS]")
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	return &Endpoint{ln: ln, srv: srv}, nil
}

// Addr is the address the endpoint listens on.
func (e *Endpoint) Addr() net.Addr { return e.ln.Addr() }

// Serve answers requests until ctx is done, then closes the listener and
// the connections (a probe in progress ends with ctx too).
func (e *Endpoint) Serve(ctx context.Context) error {
	e.srv.BaseContext = func(net.Listener) context.Context { return ctx }
	stop := context.AfterFunc(ctx, func() { _ = e.srv.Close() })
	defer stop()
	if err := e.srv.Serve(e.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("metrics: %w", err)
	}
	return nil
}
