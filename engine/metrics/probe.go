package metrics

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/goperf/goperf/engine"
)

// Prober answers /probe?target=HOST&...: it runs one client test against
// the target, a goperf or stock iperf3 server, and answers with the
// results as metrics, as a blackbox-style exporter does; a Prometheus job
// points it at each target with relabel_configs.
//
// A bad parameter is answered 400 with one line saying what is wrong, so
// that the scrape fails (up = 0) with that line as its error. A test that
// fails is answered with goperf_probe_success 0 and its error.
type Prober struct {
	o     ProberOptions
	slots chan struct{} // one per probe that may run at once
	d     probeDescs    // the families of every probe's answer
	runs  *prometheus.CounterVec
	busy  prometheus.Gauge
}

// ProberOptions bound what probes may do.
type ProberOptions struct {
	// Concurrency is how many probes run at once (0: 1); the next waits
	// for a free slot until its scrape's time is up. Tests at once share
	// the path and the cores, and would measure each other.
	Concurrency int
	// MaxDuration caps the length a probe may ask for (0:
	// DefaultProbeMaxDuration).
	MaxDuration time.Duration
	// IO is how the probes' streams call the kernel.
	IO engine.IOMode
}

// DefaultProbeMaxDuration is the longest test a probe may ask for by
// default.
const DefaultProbeMaxDuration = 60 * time.Second

// probeOverhead is what a test takes beyond its length: connecting, the
// parameter and result exchange, the end of the streams.
const probeOverhead = 2 * time.Second

// NewProber returns a prober, with its own counters registered on reg.
func NewProber(o ProberOptions, reg prometheus.Registerer) *Prober {
	if o.Concurrency <= 0 {
		o.Concurrency = 1
	}
	if o.MaxDuration <= 0 {
		o.MaxDuration = DefaultProbeMaxDuration
	}
	p := &Prober{o: o, slots: make(chan struct{}, o.Concurrency), d: newProbeDescs(),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "goperf_probes_total",
			Help: "Probe requests, by result: success, failure (the test failed), rejected (bad parameters or no free slot)."}, []string{"result"}),
		busy: prometheus.NewGauge(prometheus.GaugeOpts{Name: "goperf_probes_in_flight", Help: "Probes running now."}),
	}
	for _, r := range []string{"success", "failure", "rejected"} {
		p.runs.WithLabelValues(r)
	}
	reg.MustRegister(p.runs, p.busy)
	return p
}

// ServeHTTP runs one probe.
func (p *Prober) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cfg, err := probeParams(r.URL.Query(), p.o.MaxDuration)
	if err != nil {
		p.reject(w, http.StatusBadRequest, err)
		return
	}
	ctx, cancel, err := probeContext(r, cfg.Omit+cfg.Duration)
	if err != nil {
		p.reject(w, http.StatusBadRequest, err)
		return
	}
	defer cancel()
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		p.reject(w, http.StatusServiceUnavailable, fmt.Errorf("no free probe slot: %d probes running (--probe-concurrency)", p.o.Concurrency))
		return
	}
	p.busy.Inc()
	res := p.run(ctx, cfg)
	p.busy.Dec()
	<-p.slots
	if res.err != nil {
		p.runs.WithLabelValues("failure").Inc()
	} else {
		p.runs.WithLabelValues("success").Inc()
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(res)
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true}).ServeHTTP(w, r)
}

// run runs cfg's test until it ends or ctx does.
func (p *Prober) run(ctx context.Context, cfg engine.ClientConfig) *probeResult {
	cfg.IO = p.o.IO
	start := time.Now()
	sum, err := engine.RunClient(ctx, cfg, engine.Output{W: io.Discard})
	if ctx.Err() != nil && err != nil {
		err = fmt.Errorf("the probe ran out of time (the scrape's timeout): %w", err)
	}
	return &probeResult{sum: sum, err: err, took: time.Since(start), d: &p.d}
}

// reject answers a probe that does not run with one line.
func (p *Prober) reject(w http.ResponseWriter, status int, err error) {
	p.runs.WithLabelValues("rejected").Inc()
	http.Error(w, err.Error(), status)
}

// probeContext bounds a probe of a test of length d by the scrape's
// timeout, which Prometheus sends in a header; without one, by d and a
// margin. A test that cannot fit in the scrape is refused before it runs.
func probeContext(r *http.Request, d time.Duration) (context.Context, context.CancelFunc, error) {
	h := r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds")
	if h == "" {
		ctx, cancel := context.WithTimeout(r.Context(), d+probeOverhead+30*time.Second)
		return ctx, cancel, nil
	}
	secs, err := strconv.ParseFloat(h, 64)
	if err != nil || secs <= 0 {
		return nil, nil, fmt.Errorf("invalid X-Prometheus-Scrape-Timeout-Seconds %q", h)
	}
	timeout := time.Duration(secs * float64(time.Second))
	if d+probeOverhead > timeout {
		return nil, nil, fmt.Errorf("a %v test needs a scrape_timeout of at least %v, the scrape allows %v: shorten duration or raise scrape_timeout", d, d+probeOverhead, timeout)
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	return ctx, cancel, nil
}
