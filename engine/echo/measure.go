package echo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"time"

	"github.com/goperf/goperf/engine/output"
	"github.com/goperf/goperf/engine/transport"
)

// Measure dials m.Conns connections and measures round trips over them,
// closed loop or, with m.Rate, open loop. It writes the report to out and
// returns the summary; the error is non-nil when a connection failed, an
// echo differed from what was sent, or ctx ended the run (then the
// summary holds what was measured until then).
func Measure(ctx context.Context, cfg ClientConfig, m MeasureConfig, out output.Output) (*Summary, error) {
	cfg.defaults()
	if err := m.validate(); err != nil {
		return nil, err
	}
	announce(&cfg, out)
	conns, err := dialAll(ctx, &cfg, m.Conns)
	if err != nil {
		return nil, err
	}
	defer closeAll(conns)
	stop := context.AfterFunc(ctx, func() { closeAll(conns) })
	r := newRun(&cfg, &m, conns)
	if m.Rate > 0 {
		r.openLoop(ctx)
	} else {
		r.closedLoop()
	}
	interrupted := !stop() // the AfterFunc ran: ctx ended the run
	sum := r.summary()
	if err := sum.Write(out); err != nil {
		return sum, err
	}
	if interrupted {
		return sum, output.ErrInterrupted
	}
	return sum, r.failure(sum)
}

// dialAll opens n connections, one after the other.
func dialAll(ctx context.Context, cfg *ClientConfig, n int) ([]net.Conn, error) {
	conns := make([]net.Conn, 0, n)
	for range n {
		c, err := dial(ctx, cfg)
		if err != nil {
			closeAll(conns)
			return nil, err
		}
		conns = append(conns, c)
	}
	return conns, nil
}

func closeAll(conns []net.Conn) {
	for _, c := range conns {
		_ = c.Close()
	}
}

// run is one measurement: its connections, timeline and tallies.
type run struct {
	cfg     *ClientConfig
	m       *MeasureConfig
	conns   []net.Conn
	tallies []tally // one per connection, written only by its receiver
	epoch   time.Time
	warmEnd time.Duration // after epoch: messages sent before are not measured
	end     time.Duration // after epoch: no message is sent from then on; MaxInt64 with a count
	lag     lag           // open loop: how late the sender was
	spin    time.Duration // closed loop: busy-poll window, 0 for none
}

// tally is what one connection measured. Only its receiving goroutine
// writes it.
type tally struct {
	hist       *Histogram
	sent       uint64        // measured messages sent
	echoed     uint64        // measured echoes that matched
	mismatched uint64        // measured echoes that differed from what was sent
	late       uint64        // UDP echoes that came back after they were counted lost, or twice
	last       time.Duration // after epoch: the last measured echo
	err        error         // the connection failed
}

func newRun(cfg *ClientConfig, m *MeasureConfig, conns []net.Conn) *run {
	r := &run{cfg: cfg, m: m, conns: conns, tallies: make([]tally, len(conns)), warmEnd: m.Warmup}
	for i := range r.tallies {
		r.tallies[i].hist = NewHistogram()
	}
	if spins(m) {
		r.spin = orDefault(m.Spin, DefaultSpin)
	}
	r.end = math.MaxInt64
	if m.Count == 0 {
		r.end = m.Warmup + m.Duration
	}
	r.epoch = time.Now()
	return r
}

// since returns the time elapsed since the epoch.
func (r *run) since() time.Duration { return time.Since(r.epoch) }

// failure returns the run's error: failed connections, then mismatches.
func (r *run) failure(sum *Summary) error {
	for _, t := range r.tallies {
		if t.err != nil {
			return fmt.Errorf("%d of %d connections failed; the first: %w", sum.Errors, len(r.tallies), t.err)
		}
	}
	if sum.Mismatched > 0 {
		return fmt.Errorf("%d echoes differed from what was sent", sum.Mismatched)
	}
	return nil
}

// connError wraps a connection's error for the report, unless the run's
// own shutdown caused it.
func (r *run) connError(err error) error {
	switch {
	case err == nil, errors.Is(err, net.ErrClosed):
		return nil
	case errors.Is(err, ErrServerFull):
		return err
	case isTimeout(err):
		return fmt.Errorf("no echo from %s within %v", r.cfg.address(), r.cfg.StallTimeout)
	case errors.Is(err, io.EOF):
		return fmt.Errorf("%s closed the connection", r.cfg.address())
	}
	return peerError(r.cfg, fmt.Errorf("%s: %w", r.cfg.address(), transport.Cause(err)), err)
}
