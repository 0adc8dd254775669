package metrics

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/goperf/goperf/engine"
)

// ServerMetrics is a prometheus.Collector for one goperf server: its
// counters (read from Stats at each scrape) and the results of its last
// tests (fed by Observe, the server's ServerConfig.Observe).
type ServerMetrics struct {
	stats  func() engine.ServerStats
	recent *recent
	d      serverDescs
}

// ServerOptions choose what ServerMetrics shows.
type ServerOptions struct {
	// Keep is how many finished tests have series of their own; 0 means
	// DefaultKeep. Each test's series go when Keep newer tests ended, so
	// the series a scrape sees stay bounded however many tests run.
	Keep int
	// ClientLabel adds the client's address to each test's info series.
	// Off by default: every address seen would make series of its own,
	// without bound on a public server (cardinality).
	ClientLabel bool
}

// DefaultKeep is how many recent tests ServerMetrics shows by default.
const DefaultKeep = 10

// NewServerMetrics returns the collector for the server whose Stats
// method is stats. Pass its Observe as the server's ServerConfig.Observe.
func NewServerMetrics(stats func() engine.ServerStats, o ServerOptions) *ServerMetrics {
	if o.Keep <= 0 {
		o.Keep = DefaultKeep
	}
	return &ServerMetrics{stats: stats, recent: newRecent(o.Keep), d: newServerDescs(o.ClientLabel)}
}

// Observe keeps rec among the recent tests.
func (m *ServerMetrics) Observe(rec *engine.TestRecord) { m.recent.add(rec) }

// Describe implements prometheus.Collector.
func (m *ServerMetrics) Describe(ch chan<- *prometheus.Desc) { m.d.describe(ch) }

// Collect implements prometheus.Collector.
func (m *ServerMetrics) Collect(ch chan<- prometheus.Metric) {
	st := m.stats()
	d := &m.d
	ch <- counter(d.started, float64(st.Started))
	ch <- counter(d.completed, float64(st.Completed))
	reasons(ch, d.failed, engine.FailureReasons(), st.Failed)
	reasons(ch, d.refused, engine.RefusalReasons(), st.Refused)
	reasons(ch, d.dropped, engine.DropReasons(), st.Dropped)
	ch <- gauge(d.activeTests, float64(st.ActiveTests))
	ch <- gauge(d.activeStreams, float64(st.ActiveStreams))
	for _, p := range []engine.Proto{engine.TCP, engine.UDP} {
		ch <- counter(d.received, float64(st.Received[p]), protoLabel(p))
		ch <- counter(d.sent, float64(st.Sent[p]), protoLabel(p))
	}
	ch <- gauge(d.memReserved, float64(st.MemoryReserved))
	ch <- gauge(d.memBudget, float64(st.MemoryBudget))
	for _, rec := range m.recent.list() {
		d.test(ch, rec)
	}
}

// reasons sends one counter per known reason, zeros included, so that a
// rate() sees each series from the first scrape.
func reasons(ch chan<- prometheus.Metric, d *prometheus.Desc, known []engine.Reason, counts map[engine.Reason]uint64) {
	for _, r := range known {
		ch <- counter(d, float64(counts[r]), string(r))
	}
}

func counter(d *prometheus.Desc, v float64, labels ...string) prometheus.Metric {
	return prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
}

func gauge(d *prometheus.Desc, v float64, labels ...string) prometheus.Metric {
	return prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

// protoLabel is a protocol as a label value: "tcp" or "udp".
func protoLabel(p engine.Proto) string { return strings.ToLower(p.String()) }
