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
	}
	_, why := c.fallback()
	c.out.Log.Error("--latency: %s", why)
	return nil
}

// fallback says what stands in for a probe the server cannot echo: the
// streams' TCP_INFO where they have it, else nothing; and why.
func (c *client) fallback() (tcpInfo bool, why string) {
	if c.cfg.Proto == TCP && sockopt.HasTCPInfo {
		return true, noProbeNote + ": the data streams' TCP_INFO RTT instead (kernel estimates)"
	}
	return false, noProbeNote + ", and " + noTCPInfo(c.cfg.Proto)
}

// latencySource returns what measures the test's latency, nil without
// --latency.
func (c *client) latencySource() latencySource {
	if !c.cfg.Latency {
		return nil
	}
	if c.probe != nil {
		return c.probe
	}
	tcpInfo, why := c.fallback()
	if tcpInfo {
		return newTCPInfoRTT(c.ctrl.conn, c.streams, why)
	}
	return noLatency{note: why}
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
