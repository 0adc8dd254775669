package echo

import (
	"io"
	"math"
	"net"
	"sync"
	"time"
)

// closedLoop runs one pinger per connection until the run ends.
func (r *run) closedLoop() {
	var wg sync.WaitGroup
	for i, c := range r.conns {
		quota := uint64(math.MaxUint64)
		if r.m.Count > 0 {
			quota = share(r.m.Count, len(r.conns), i)
		}
		p := newPinger(r, c, &r.tallies[i])
		wg.Go(func() { r.tallies[i].err = r.connError(p.run(quota)) })
	}
	wg.Wait()
}

// share returns connection i's part of n messages spread over conns.
func share(n uint64, conns, i int) uint64 {
	q := n / uint64(conns)
	if uint64(i) < n%uint64(conns) {
		q++
	}
	return q
}

// outcome is what became of one message.
type outcome int

const (
	echoed     outcome = iota // the echo matched
	mismatched                // the echo differed from the message
	lost                      // UDP: no echo within the lost timeout
)

// pinger sends a message on one connection, waits for its echo, and
// again. Its buffers are allocated once; a round trip allocates nothing.
type pinger struct {
	r     *run
	conn  net.Conn
	t     *tally
	out   []byte // the message, restamped for each round trip
	in    []byte // TCP: len(out); UDP: one more, so a longer echo shows
	seq   uint64
	stall idleDeadline // TCP
	spin  *spinConn    // nil: wait in the network poller
	w     io.Writer    // spin, or conn without it
	// lostArmed is the read deadline set, from the run's epoch; moved on
	// only when a round trip's lost time passes it, so not once per echo
	lostArmed time.Duration
}

func newPinger(r *run, conn net.Conn, t *tally) *pinger {
	p := &pinger{r: r, conn: conn, t: t, out: newMessage(r.m.Size), in: echoBuffer(r.m.Size, r.cfg.Proto)}
	p.stall = idleDeadline{set: conn.SetDeadline, period: r.cfg.StallTimeout}
	p.w = conn
	if r.spin > 0 {
		if sc, err := newSpinConn(conn, r.spin); err == nil { // without one, the poller waits
			p.spin, p.w = sc, sc
		}
	}
	return p
}

// run pings until the run's end or quota measured messages.
func (p *pinger) run(quota uint64) error {
	if p.r.cfg.Proto == TCP {
		if err := p.stall.arm(); err != nil {
			return err
		}
	}
	for ; ; p.seq++ {
		sent := p.r.since()
		measured := sent >= p.r.warmEnd
		if measured && (sent >= p.r.end || p.t.sent >= quota) {
			return nil
		}
		stamp(p.out, p.seq, sent)
		o, err := p.roundTrip(sent)
		if err != nil {
			return err
		}
		if measured {
			p.account(o, sent)
		}
	}
}

// account adds one measured message to the tally.
func (p *pinger) account(o outcome, sent time.Duration) {
	p.t.sent++
	switch o {
	case echoed:
		now := p.r.since()
		p.t.hist.Record(now - sent)
		p.t.echoed++
		p.t.last = now
	case mismatched:
		p.t.mismatched++
	}
}

// roundTrip sends p.out and waits for its echo.
func (p *pinger) roundTrip(sent time.Duration) (outcome, error) {
	if p.r.cfg.Proto == UDP {
		return p.udpRoundTrip(sent)
	}
	if err := writeAll(p.w, p.out, &p.stall); err != nil {
		return 0, err
	}
	if n, err := p.recv(p.in, true); err != nil {
		return 0, refusedOr(p.conn, p.in[:n], err)
	}
	if matches(p.in, p.out) {
		return echoed, nil
	}
	if isBusy(p.in) {
		return 0, refusal(p.conn, p.in)
	}
	return mismatched, nil
}

// udpRoundTrip sends one datagram and waits for the echo of this message,
// passing over late echoes of earlier ones, until the lost timeout.
func (p *pinger) udpRoundTrip(sent time.Duration) (outcome, error) {
	if _, err := p.w.Write(p.out); err != nil {
		return 0, err
	}
	lostAt := sent + p.r.cfg.LostTimeout
	if err := p.armLost(lostAt); err != nil {
		return 0, err
	}
	for {
		n, err := p.recv(p.in, false)
		switch {
		case isTimeout(err):
			return lost, nil
		case err != nil:
			return 0, err
		case matches(p.in[:n], p.out) && p.r.since() > lostAt:
			p.t.late++ // back after the lost timeout, before the deadline
			return lost, nil
		case matches(p.in[:n], p.out):
			return echoed, nil
		case n >= headerLen && seqOf(p.in) < p.seq:
			p.t.late++ // an echo given up on earlier, or a duplicate
		default:
			return mismatched, nil
		}
	}
}

// armLost makes sure the read deadline falls at lostAt or after. It moves
// the deadline one lost timeout beyond, so that it is set once per lost
// timeout rather than once per round trip: each setting touches the
// runtime's timers, and can wake a thread to watch them, which at tens of
// thousands of round trips a second took a CPU from a busy-polling pinger
// often enough to show at p99. A lost message is therefore given up within
// twice the lost timeout, and counted lost all the same.
func (p *pinger) armLost(lostAt time.Duration) error {
	if p.lostArmed >= lostAt {
		return nil
	}
	p.lostArmed = lostAt + p.r.cfg.LostTimeout
	return p.conn.SetReadDeadline(p.r.epoch.Add(p.lostArmed))
}

// recv reads an echo into buf: all of it (full, TCP) or one datagram.
func (p *pinger) recv(buf []byte, full bool) (int, error) {
	switch {
	case p.spin == nil && full:
		return readFull(p.conn, buf, &p.stall)
	case p.spin == nil:
		return p.conn.Read(buf)
	}
	n, err := p.spin.read(buf, full)
	for full && err != nil {
		if n > 0 {
			p.stall.progress()
		}
		if !p.stall.retry(err) {
			break
		}
		n, err = p.spin.resume()
	}
	if n > 0 {
		p.stall.progress()
	}
	return n, err
}

// readFull fills p from conn, re-arming the deadline while data moves. It
// returns how much it read.
func readFull(conn net.Conn, p []byte, d *idleDeadline) (int, error) {
	got := 0
	for got < len(p) {
		n, err := conn.Read(p[got:])
		got += n
		if n > 0 {
			d.progress()
		}
		if err != nil && got < len(p) && !d.retry(err) {
			return got, err
		}
	}
	return got, nil
}

// refusedOr returns the server's refusal when got, the start of a stream
// cut short by err, is one; otherwise err.
func refusedOr(conn net.Conn, got []byte, err error) error {
	if isBusy(got) {
		return refusal(conn, got)
	}
	return err
}
