package echo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"
)

// Result is what a measuring run found, over all connections.
type Result struct {
	Proto    string
	OpenLoop bool
	Rate     float64 // open loop: messages per second asked for
	Conns    int
	Size     int
	Warmup   time.Duration
	Elapsed  time.Duration // measuring time, warm-up excluded
	Counts
	Hist Histogram // round trips measured after the warm-up
}

// Counts are a run's message counts after the warm-up.
type Counts struct {
	Sent       uint64
	Received   uint64 // echoes measured
	Lost       uint64 // UDP: no echo within the timeout
	Late       uint64 // UDP: an echo that came after its timeout
	Mismatched uint64 // echoes that differ from what was sent
	Errors     uint64 // connections that failed
}

func (c *Counts) add(o Counts) {
	c.Sent += o.Sent
	c.Received += o.Received
	c.Lost += o.Lost
	c.Late += o.Late
	c.Mismatched += o.Mismatched
	c.Errors += o.Errors
}

// MessagesPerSecond is the measured echo rate.
func (r *Result) MessagesPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Received) / r.Elapsed.Seconds()
}

// clock is a run's shared timing: everything is measured from start.
type clock struct {
	start  time.Time
	warm   time.Duration // measuring starts here
	end    time.Duration // and stops here; 0 with a count
	count  uint64        // messages per connection to measure, 0 with a duration
	rate   float64       // open loop, per connection
	expire time.Duration // UDP echo timeout
}

func (c *clock) now() time.Duration { return time.Since(c.start) }

// measured returns the measuring time of a run that just ended: the
// duration asked for, or with a count the time since the warm-up.
func (c *clock) measured() time.Duration {
	if c.end > 0 {
		return min(c.now(), c.end) - c.warm
	}
	return max(c.now()-c.warm, 0)
}

// done reports whether a connection that measured n messages should stop
// at t.
func (c *clock) done(t time.Duration, n uint64) bool {
	if c.count > 0 {
		return n >= c.count
	}
	return t >= c.end
}

// worker is one connection's state.
type worker struct {
	conn net.Conn
	udp  bool
	out  []byte
	in   []byte
	Counts
	hist Histogram
	err  error
}

// Measure runs the measuring client of cfg: closed-loop ping-pong, or
// open loop at cfg.Rate messages per second, on cfg.Conns connections.
func Measure(ctx context.Context, cfg ClientConfig) (*Result, error) {
	cfg.defaults()
	if err := cfg.checkMeasure(); err != nil {
		return nil, err
	}
	workers := make([]*worker, cfg.Conns)
	defer func() {
		for _, w := range workers {
			if w != nil {
				w.conn.Close()
			}
		}
	}()
	for i := range workers {
		c, err := dial(ctx, &cfg)
		if err != nil {
			return nil, err
		}
		workers[i] = &worker{conn: c, udp: cfg.UDP, out: newMessage(cfg.Size), in: make([]byte, max(cfg.Size, 1<<16))}
	}
	if err := probe(workers[0], cfg.Timeout); err != nil {
		return nil, err
	}
	ck := &clock{start: time.Now(), warm: cfg.Warmup, expire: cfg.Timeout}
	if cfg.Count > 0 {
		ck.count = (cfg.Count + uint64(cfg.Conns) - 1) / uint64(cfg.Conns)
	} else {
		ck.end = cfg.Warmup + cfg.Duration
	}
	if cfg.Rate > 0 {
		ck.rate = cfg.Rate / float64(cfg.Conns)
	}
	stop := context.AfterFunc(ctx, func() {
		for _, w := range workers {
			_ = w.conn.SetDeadline(time.Unix(1, 0))
		}
	})
	defer stop()
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ck.rate > 0 {
				w.openLoop(ck)
			} else {
				w.closedLoop(ck)
			}
		}()
	}
	wg.Wait()
	res := &Result{Proto: network(cfg.UDP), OpenLoop: cfg.Rate > 0, Rate: cfg.Rate, Conns: cfg.Conns,
		Size: cfg.Size, Warmup: cfg.Warmup, Elapsed: ck.measured()}
	var firstErr error
	for _, w := range workers {
		res.Counts.add(w.Counts)
		res.Hist.Merge(&w.hist)
		firstErr = cmpOr(firstErr, w.err)
	}
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	if res.Received == 0 && firstErr != nil {
		return res, firstErr
	}
	return res, nil
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// checkMeasure validates the measuring settings.
func (c *ClientConfig) checkMeasure() error {
	switch {
	case c.Size < MinMessage || (c.UDP && c.Size > MaxDatagram):
		return fmt.Errorf("message size must be %d to %d bytes, got %d", MinMessage, MaxDatagram, c.Size)
	case c.Conns < 1 || c.Conns > 100000:
		return fmt.Errorf("connections must be 1 to 100000, got %d", c.Conns)
	case c.Count == 0 && c.Duration <= 0:
		return errors.New("give a duration (-t) or a message count (-n)")
	case c.Rate < 0:
		return errors.New("rate must not be negative")
	}
	return nil
}

// probe sends one message and expects it back, so that a refusal or a
// missing server is a clear error rather than a run of mismatches.
func probe(w *worker, timeout time.Duration) error {
	stamp(w.out, 0, 0)
	_ = w.conn.SetDeadline(time.Now().Add(max(timeout, 2*time.Second)))
	defer w.conn.SetDeadline(time.Time{})
	if _, err := w.conn.Write(w.out); err != nil {
		return fmt.Errorf("send: %w", unwrapOp(err))
	}
	n, err := w.readEcho(len(w.out))
	if err != nil {
		if w.udp && isTimeout(err) {
			return fmt.Errorf("no echo within %v: is a goecho server listening on UDP %s?", max(timeout, 2*time.Second), w.conn.RemoteAddr())
		}
		return fmt.Errorf("first echo: %w", unwrapOp(err))
	}
	if msg := w.in[:n]; !intact(msg, w.out) {
		if s := string(msg); strings.HasPrefix(s, "goecho: ") {
			return errors.New(strings.TrimSpace(strings.TrimPrefix(s, "goecho: ")))
		}
		return errors.New("the first echo differs from what was sent: is the server an echo server?")
	}
	return nil
}

// readEcho reads one echo of size bytes: a datagram, or size bytes of the
// stream.
func (w *worker) readEcho(size int) (int, error) {
	if w.udp {
		return w.conn.Read(w.in)
	}
	got := 0
	for got < size {
		n, err := w.conn.Read(w.in[got:size])
		got += n
		if err != nil {
			if got > 0 && got < size {
				return got, nil // a refusal line shorter than a message
			}
			return got, err
		}
	}
	return got, nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
