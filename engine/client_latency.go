package engine

import "github.com/goperf/goperf/sockopt"

// How a client chooses what measures its latency (--latency): the probe a
// goperf server echoes, else its own streams' TCP_INFO.

// noProbeNote is what a report says when the server cannot echo the probe.
const noProbeNote = "the server cannot echo a latency probe (it is not goperf, or a goperf older than --latency)"

// openLatency opens the probe before the data streams when the server
// agreed to echo it; a server that did not is told of in one line.
func (c *client) openLatency() error {
	switch {
	case !c.cfg.Latency:
		return nil
	case c.hello.Latency:
		return c.openProbe()
	case c.cfg.Proto == TCP && sockopt.HasTCPInfo:
		c.out.Log.Error("--latency: %s; showing the data streams' TCP_INFO RTT instead", noProbeNote)
	default:
		c.out.Log.Error("--latency: %s, and %s: no latency figures", noProbeNote, noTCPInfo(c.cfg.Proto))
	}
	return nil
}

// latencySource returns what measures the test's latency, nil without
// --latency.
func (c *client) latencySource() latencySource {
	switch {
	case !c.cfg.Latency:
		c.latency = nil
	case c.probe != nil:
		c.latency = c.probe
	case c.cfg.Proto == TCP && sockopt.HasTCPInfo:
		c.latency = newTCPInfoRTT(c.ctrl.conn, c.streams, noProbeNote+": the data streams' TCP_INFO RTT instead (kernel estimates)")
	default:
		c.latency = noLatency{note: noProbeNote + ", and " + noTCPInfo(c.cfg.Proto)}
	}
	return c.latency
}

// latencyReport returns the test's latency, nil without --latency.
func (c *client) latencyReport() *LatencyReport {
	if c.latency == nil {
		return nil
	}
	return c.latency.report()
}

// noTCPInfo says why the streams have no TCP_INFO RTT to show.
func noTCPInfo(p Proto) string {
	if p == UDP {
		return "UDP streams have no TCP_INFO"
	}
	return "this build reads no TCP_INFO"
}
