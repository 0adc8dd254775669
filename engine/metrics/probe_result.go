package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/goperf/goperf/engine"
)

// probeResult is one probe's test as a collector for its own registry.
type probeResult struct {
	sum  *engine.Summary // nil when the test never ran
	err  error
	took time.Duration
	d    *probeDescs // the prober's, made once
}

// probeDescs are the probe's families. Flows are named from the probing
// client's side: forward is client to target, reverse target to client;
// side is the end that counted, sender or receiver.
type probeDescs struct {
	success, took, failure    *prometheus.Desc
	rate, bytes, seconds      *prometheus.Desc
	retransmits, lost, jitter *prometheus.Desc
	datagrams                 *prometheus.Desc
	rtt, localCPU, remoteCPU  *prometheus.Desc
}

func newProbeDescs() probeDescs {
	return probeDescs{
		success:     probeDesc("success", "1 if the test ran and both ends reported, else 0."),
		took:        probeDesc("duration_seconds", "How long the probe took, test and setup."),
		failure:     probeDesc("failure_info", "Why the test failed (1 when it did).", "error"),
		rate:        probeDesc("bytes_per_second", "Mean rate of a flow as each end counted it, in bytes per second (× 8 for bit/s).", "direction", "side"),
		bytes:       probeDesc("bytes", "Payload bytes of a flow as each end counted them.", "direction", "side"),
		seconds:     probeDesc("seconds", "Time each end measured a flow over.", "direction", "side"),
		retransmits: probeDesc("retransmits", "TCP retransmits the flow's sender counted.", "direction"),
		datagrams:   probeDesc("datagrams", "UDP datagrams of a flow as each end counted them: sent, and arrived (each once).", "direction", "side"),
		lost:        probeDesc("lost_datagrams", "UDP datagrams of the flow that never arrived.", "direction"),
		jitter:      probeDesc("jitter_seconds", "UDP jitter the flow's receiver measured.", "direction"),
		rtt:         probeDesc("rtt_seconds", "Mean smoothed TCP round-trip time the flow's sender saw (TCP_INFO), where this end sent.", "direction"),
		localCPU:    probeDesc("local_cpu_ratio", "The probing process's CPU use during the test, in CPUs (1 = one core)."),
		remoteCPU:   probeDesc("remote_cpu_ratio", "The target's CPU use during the test, in CPUs, as it reported."),
	}
}

// probeDesc names a probe family goperf_probe_NAME.
func probeDesc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName("goperf", "probe", name), help, labels, nil)
}

// Describe implements prometheus.Collector.
func (p *probeResult) Describe(ch chan<- *prometheus.Desc) { prometheus.DescribeByCollect(p, ch) }

// Collect implements prometheus.Collector.
func (p *probeResult) Collect(ch chan<- prometheus.Metric) {
	d := p.d
	ch <- gauge(d.success, boolValue(p.err == nil && p.sum != nil))
	ch <- gauge(d.took, p.took.Seconds())
	if p.err != nil {
		ch <- gauge(d.failure, 1, p.err.Error())
	}
	if p.sum == nil {
		return
	}
	for _, t := range []*engine.Totals{&p.sum.Forward, p.sum.Reverse} {
		if t != nil {
			d.flow(ch, t)
		}
	}
	ch <- gauge(d.localCPU, p.sum.LocalCPU.Total/100)
	ch <- gauge(d.remoteCPU, p.sum.RemoteCPU.Total/100)
}

// flow sends one direction's series.
func (d *probeDescs) flow(ch chan<- prometheus.Metric, t *engine.Totals) {
	dir := "reverse"
	if t.Local {
		dir = "forward"
	}
	for _, s := range []struct {
		name string
		side *engine.Side
	}{{"sender", &t.Sender}, {"receiver", &t.Receiver}} {
		if s.side.Unreported {
			continue
		}
		ch <- gauge(d.rate, s.side.BitsPerSecond()/8, dir, s.name)
		ch <- gauge(d.bytes, float64(s.side.Bytes), dir, s.name)
		ch <- gauge(d.seconds, s.side.Seconds, dir, s.name)
		if u := s.side.UDP; u != nil {
			ch <- gauge(d.datagrams, float64(u.Packets), dir, s.name)
		}
	}
	if t.Sender.Retransmits >= 0 && t.Sender.UDP == nil {
		ch <- gauge(d.retransmits, float64(t.Sender.Retransmits), dir)
	}
	if tcp := t.Sender.TCP; tcp != nil && tcp.MeanRTT > 0 {
		ch <- gauge(d.rtt, float64(tcp.MeanRTT)/1e6, dir)
	}
	if u := t.Receiver.UDP; u != nil && !t.Receiver.Unreported {
		ch <- gauge(d.lost, float64(u.Lost), dir)
		ch <- gauge(d.jitter, u.Jitter, dir)
	}
}
