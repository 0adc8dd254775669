package echo

import "time"

// Summary is what a measurement found, over all its connections.
type Summary struct {
	Proto      Proto
	OpenLoop   bool    // sent at Rate, whatever the echoes did
	Rate       float64 // messages per second asked for, open loop
	Server     string  // host:port
	Size       int     // bytes per message
	Conns      int
	Warmup     time.Duration // left out of everything below
	Duration   time.Duration // from the end of the warm-up to the last echo
	Sent       uint64        // measured messages sent
	Echoed     uint64        // echoes back and equal to the message
	Mismatched uint64        // echoes that differed from the message
	Lost       uint64        // UDP: sent, but not echoed within the lost timeout (TCP: unanswered when a connection failed)
	Late       uint64        // UDP: echoes after the lost timeout, and duplicates
	Errors     int           // connections that failed
	RTT        Latency       // round trips of the echoed messages
	SendLag    Latency       // open loop: how late the sender was (Max and Mean only)
	Spin       time.Duration // closed loop: the busy-poll window in effect, 0 for none
	Histogram  *Histogram    // the round trips' distribution
}

// Latency summarises a distribution of round trips.
type Latency struct {
	Min, P50, P90, P99, P999, P9999, Max time.Duration
	Mean, Stddev                         time.Duration
}

// latencyOf reads the summary figures out of h.
func latencyOf(h *Histogram) Latency {
	return Latency{
		Min: h.Min(), Max: h.Max(), Mean: h.Mean(), Stddev: h.Stddev(),
		P50: h.Quantile(0.5), P90: h.Quantile(0.9), P99: h.Quantile(0.99),
		P999: h.Quantile(0.999), P9999: h.Quantile(0.9999),
	}
}

// MessagesPerSecond returns the rate of echoed messages.
func (s *Summary) MessagesPerSecond() float64 {
	if s.Duration <= 0 {
		return 0
	}
	return float64(s.Echoed) / s.Duration.Seconds()
}

// summary adds up the connections' tallies.
func (r *run) summary() *Summary {
	s := &Summary{
		Proto: r.cfg.Proto, OpenLoop: r.m.Rate > 0, Rate: r.m.Rate, Server: r.cfg.address(),
		Size: r.m.Size, Conns: len(r.conns), Warmup: r.warmEnd, Histogram: NewHistogram(), Spin: r.spin,
	}
	var last time.Duration
	for _, t := range r.tallies {
		s.Histogram.Merge(t.hist)
		s.Sent += t.sent
		s.Echoed += t.echoed
		s.Mismatched += t.mismatched
		s.Late += t.late
		last = max(last, t.last)
		if t.err != nil {
			s.Errors++
		}
	}
	s.Lost = s.Sent - s.Echoed - s.Mismatched
	s.Duration = max(last-r.warmEnd, 0)
	s.RTT = latencyOf(s.Histogram)
	if r.lag.n > 0 {
		s.SendLag = Latency{Max: r.lag.max, Mean: r.lag.sum / time.Duration(r.lag.n)}
	}
	return s
}
