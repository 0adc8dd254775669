package engine

import (
	"fmt"
	"time"
)

// The client's lines before the test's tables: goperf's "Dialing" line,
// or iperf3's "Connecting to host" and, with -V, its header (which names
// the control connection's MSS, so it comes once connected).

// announce prints the lines before connecting; announced the ones after.
func (c *client) announce() {
	switch {
	case c.out.Format != Text:
	case !c.out.Iperf3:
		fmt.Fprintf(c.out.W, "%sDialing %s using %s\n", titlePrefix(c.cfg.Title), c.cfg.addr(), c.cfg.Proto)
	case !c.out.Verbose:
		c.connecting()
	}
}

// announced prints iperf3's -V header once the control connection is up.
func (c *client) announced() {
	if c.out.Format != Text || !c.out.Iperf3 || !c.out.Verbose {
		return
	}
	p := titlePrefix(c.cfg.Title)
	host := thisHost(true)
	fmt.Fprintf(c.out.W, "%s%s\n%s%s\n%sControl connection MSS %d\n%sTime: %s\n",
		p, host.version, p, host.system, p, c.mss, p, iperf3Time(time.Now()))
	c.connecting()
	fmt.Fprintf(c.out.W, "%s      Cookie: %s\n", p, c.cookie)
	if c.cfg.Proto == TCP {
		if c.cfg.MSS > 0 {
			fmt.Fprintf(c.out.W, "%s      TCP MSS: %d\n", p, c.cfg.MSS)
		} else {
			fmt.Fprintf(c.out.W, "%s      TCP MSS: %d (default)\n", p, c.mss)
		}
	}
}

// connecting is iperf3's first line, and its -R line.
func (c *client) connecting() {
	p := titlePrefix(c.cfg.Title)
	fmt.Fprintf(c.out.W, "%sConnecting to host %s, port %d\n", p, c.cfg.Host, c.cfg.Port)
	if c.cfg.Direction == Reverse {
		fmt.Fprintf(c.out.W, "%sReverse mode, remote host %s is sending\n", p, c.cfg.Host)
	}
}
