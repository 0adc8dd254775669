package main

import (
	"context"
	"fmt"
	"io"

	"github.com/goperf/goperf/engine"
	"github.com/goperf/goperf/engine/metrics"
)

// metricsFlags are the Prometheus endpoints: a server's metrics, and the
// probe exporter, beside a server or on its own.
type metricsFlags struct {
	Metrics     string         `name:"metrics" placeholder:"ADDR" help:"Server: serve Prometheus metrics on ADDR (host:port, e.g. :9201) at /metrics: tests started, completed, failed and refused by reason, bytes, active tests, memory, and the last tests' results. Off by default."`
	MetricsKeep int            `name:"metrics-tests" default:"10" placeholder:"N" help:"With --metrics: how many recent tests have series of their own (1 to 1000)."`
	ClientLabel bool           `name:"metrics-client-label" help:"With --metrics: label each recent test with the client's address. Off by default: every address would make series of its own (cardinality)."`
	Probe       bool           `name:"probe" help:"With --metrics: also answer /probe?target=HOST&... by running one test against HOST (off by default: whoever reaches the endpoint could aim tests anywhere)."`
	Exporter    string         `name:"exporter" placeholder:"ADDR" xor:"mode" help:"Run the probe exporter alone on ADDR: /probe?target=HOST&port=&duration=&protocol=&reverse=&bidir=&parallel=&bitrate=&length=&omit= and its own /metrics; no test server."`
	ProbeConc   int            `name:"probe-concurrency" default:"1" placeholder:"N" help:"Probes run at once (1 to 64); the next waits for a slot until its scrape times out. Tests at once measure each other."`
	ProbeMax    engine.Seconds `name:"probe-max-duration" default:"60" placeholder:"SECONDS" help:"Longest test (omit included) a probe may ask for."`
}

// checkMetrics refuses metrics flags that would do nothing.
func (c *cli) checkMetrics() error {
	probing := c.Exporter != "" || c.Probe
	switch {
	case c.Metrics != "" && !c.Server:
		return fmt.Errorf("--metrics is a server's (goperf -s --metrics ADDR); a probe exporter alone is --exporter ADDR")
	case c.Probe && c.Metrics == "":
		return fmt.Errorf("--probe answers on the metrics endpoint: give --metrics ADDR too")
	case c.MetricsKeep < 1 || c.MetricsKeep > 1000:
		return fmt.Errorf("--metrics-tests must be 1 to 1000, got %d", c.MetricsKeep)
	case c.ProbeConc < 1 || c.ProbeConc > 64:
		return fmt.Errorf("--probe-concurrency must be 1 to 64, got %d", c.ProbeConc)
	case c.ProbeMax <= 0:
		return fmt.Errorf("--probe-max-duration must be positive")
	case !probing && (c.ProbeConc != 1 || durationOf(c.ProbeMax) != metrics.DefaultProbeMaxDuration):
		return fmt.Errorf("--probe-concurrency and --probe-max-duration are for --probe or --exporter")
	}
	return nil
}

// prober returns the probe handler the flags ask for, or nil.
func (c *cli) prober(reg *metrics.Registry) *metrics.Prober {
	if c.Exporter == "" && !c.Probe {
		return nil
	}
	return metrics.NewProber(metrics.ProberOptions{Concurrency: c.ProbeConc, MaxDuration: durationOf(c.ProbeMax), IO: c.IO}, reg)
}

// serveMetrics starts the server's metrics endpoint, if asked, and
// returns what the server's config needs: the observer of finished tests
// and a function that serves the endpoint until ctx is done.
func (c *cli) serveMetrics(ctx context.Context, stats func() engine.ServerStats, note io.Writer) (func(*engine.TestRecord), func(context.Context) error, error) {
	if c.Metrics == "" {
		return nil, nil, nil
	}
	reg := metrics.NewRegistry()
	sm := metrics.NewServerMetrics(stats, metrics.ServerOptions{Keep: c.MetricsKeep, ClientLabel: c.ClientLabel})
	reg.MustRegister(sm)
	ep, err := metrics.Listen(ctx, c.Metrics, reg, c.prober(reg))
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(note, "goperf: metrics at http://%s/metrics\n", ep.Addr())
	return sm.Observe, ep.Serve, nil
}

// exporter runs the probe exporter alone until ctx is done.
func (c *cli) exporter(ctx context.Context, note io.Writer) error {
	reg := metrics.NewRegistry()
	ep, err := metrics.Listen(ctx, c.Exporter, reg, c.prober(reg))
	if err != nil {
		return err
	}
	fmt.Fprintf(note, "goperf: probe exporter at http://%s/probe, its own metrics at /metrics\n", ep.Addr())
	return ep.Serve(ctx)
}
