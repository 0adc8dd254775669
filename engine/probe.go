package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/goperf/goperf/engine/echo"
	"github.com/goperf/goperf/sockopt"
)

// The latency probe's client (--latency): one TCP connection beside the
// data streams, on which the client sends a small stamped message at a
// fixed rate and a goperf server echoes each back. A round trip is timed
// from the moment its message was due, not from when it left: a send held
// up behind a full socket buffer or a stalled path counts its wait (open
// loop, free of coordinated omission).
//
// A message is probeLen bytes: its sequence number and the time it was
// due, in nanoseconds after the probe's epoch, both big-endian.

// Probe rates, in round trips per second.
const (
	DefaultLatencyRate float64 = 100
	MinLatencyRate     float64 = 1
	MaxLatencyRate     float64 = 10000
)

// polledNote is what a report says of a probe that waited through Go's
// poller (probe_io.go).
const polledNote = "the probe's messages left on Go timers, which may fire up to a millisecond late, and its round trips count that wait"

const (
	probeLen = 16
	// idleProbes round trips measure the path before the load, spaced by
	// the probe's period but at most idleSpacing apart, so that the
	// baseline never holds the test up for more than about 200 ms.
	idleProbes  = 20
	idleSpacing = 10 * time.Millisecond
)

// probe is a client's latency probe. Its goroutine keeps the figures
// under mu; the sampler cuts them into intervals.
type probe struct {
	conn  net.Conn // until start, which hands it to io
	io    probeIO
	every time.Duration // the period between round trips
	epoch time.Time     // due times count from here

	mu       sync.Mutex
	interval *echo.Histogram // round trips answered in the current interval
	total    *echo.Histogram // answered round trips due after `from`
	idle     *echo.Histogram
	from     time.Duration // round trips due before this are left out of total (the omit period)
	sent     uint64        // messages written
	answered uint64
	err      error // why the probe stopped early, nil while it runs
	rate     float64

	stop   chan struct{}
	wg     sync.WaitGroup
	closed sync.Once // close
}

// newProbe wraps conn, on which the cookie has been sent, as a probe at
// rate round trips per second.
func newProbe(conn net.Conn, rate float64) *probe {
	return &probe{
		conn: conn, rate: rate, every: time.Duration(float64(time.Second) / rate),
		interval: echo.NewHistogram(), total: echo.NewHistogram(), idle: echo.NewHistogram(),
		stop: make(chan struct{}),
	}
}

// openProbe dials the probe's connection, announces it with the test's
// cookie, and measures the idle path: the server's first echo also
// confirms it took the connection as the probe, before any data stream
// connects.
func (c *client) openProbe() error {
	opts := sockopt.Options{Device: c.cfg.Device, TOS: c.cfg.TOS}
	conn, err := c.dial(c.ctrl.ctx, c.cfg.Family.network(TCP), 0, opts, nil) // opts set before it connects
	if err != nil {
		return fmt.Errorf("latency probe: %w", err)
	}
	rate := c.cfg.LatencyRate
	if rate == 0 {
		rate = DefaultLatencyRate
	}
	c.probe = newProbe(conn, rate)
	_ = conn.SetDeadline(time.Now().Add(ctrlTimeout))
	if _, err := conn.Write(c.cookie[:]); err != nil {
		return fmt.Errorf("latency probe: sending cookie: %w", err)
	}
	if err := c.probe.measureIdle(); err != nil {
		return fmt.Errorf("latency probe: the server did not echo it: %w", err)
	}
	_ = conn.SetDeadline(time.Time{})
	return nil
}

// measureIdle times idleProbes round trips one after another, before any
// load: the path's unloaded RTT.
func (p *probe) measureIdle() error {
	var msg, got [probeLen]byte
	spacing := min(p.every, idleSpacing)
	for i := range uint64(idleProbes) {
		start := time.Now()
		binary.BigEndian.PutUint64(msg[0:8], i)
		if _, err := p.conn.Write(msg[:]); err != nil {
			return err
		}
		if _, err := io.ReadFull(p.conn, got[:]); err != nil {
			return err
		}
		rtt := time.Since(start)
		if got != msg {
			return errors.New("its echo differs from the message")
		}
		p.idle.Record(rtt)
		time.Sleep(spacing - rtt)
	}
	return nil
}

// start begins the loaded round trips at epoch, the test's start, on the
// probe's own goroutine and thread (probe_io.go); mode is the client's
// --io, procs the Ps of the process's thread loops.
func (p *probe) start(epoch time.Time, mode IOMode, procs *threadProcs) {
	p.epoch = epoch
	p.io = newProbeIO(p.conn, mode, procs)
	p.wg.Add(1)
	go p.run()
}

// run writes message i when it is due, epoch + i periods, and between
// messages waits for their echoes, each timed against its message's due
// time. A late write (a full buffer, a descheduled thread) keeps the due
// times: the next messages go out back to back until the schedule is
// caught up. Once halted it writes no more and waits for the echoes still
// on their way, until close.
func (p *probe) run() {
	defer p.wg.Done()
	runtime.LockOSThread() // never unlocked: the thread ends with the probe
	_, _ = sockopt.SetTimerSlack(1)
	var (
		in         [16 * probeLen]byte
		have       int    // bytes of in holding echoes not yet timed
		next, want uint64 // the next message to write, the next echo to come
	)
	for {
		until := time.Time{}
		if !p.halted() {
			until = p.epoch.Add(time.Duration(next) * p.every)
			if !time.Now().Before(until) {
				if err := p.write(next); err != nil {
					p.fail(fmt.Errorf("sending: %w", err))
					return
				}
				next++
				continue
			}
		}
		n, err := p.io.await(in[have:], until)
		if err != nil {
			p.fail(fmt.Errorf("receiving: %w", err))
			return
		}
		now := time.Since(p.epoch)
		have += n
		timed, err := p.echoes(in[:have], now, &want)
		if err != nil {
			p.fail(err)
			return
		}
		have = copy(in[:], in[timed:have])
		if timed > 0 {
			p.io.pass()
		}
	}
}

// write sends message i, stamped with its due time.
func (p *probe) write(i uint64) error {
	var msg [probeLen]byte
	binary.BigEndian.PutUint64(msg[0:8], i)
	binary.BigEndian.PutUint64(msg[8:16], uint64(time.Duration(i)*p.every))
	if err := p.io.write(msg[:]); err != nil {
		return err
	}
	p.mu.Lock()
	p.sent++
	p.mu.Unlock()
	return nil
}

// echoes times the whole echoes at the start of b, read now, against
// their due times, and returns how many bytes they took; *want is the
// sequence number the next echo must carry.
func (p *probe) echoes(b []byte, now time.Duration, want *uint64) (int, error) {
	timed := 0
	for ; len(b)-timed >= probeLen; timed += probeLen {
		got := b[timed : timed+probeLen]
		seq, due := binary.BigEndian.Uint64(got[0:8]), time.Duration(binary.BigEndian.Uint64(got[8:16]))
		if seq != *want {
			return timed, fmt.Errorf("echo %d came where %d was due", seq, *want)
		}
		*want++
		p.record(now-due, due)
	}
	return timed, nil
}

// record adds one answered round trip, due at due after the epoch.
func (p *probe) record(rtt, due time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.answered++
	p.interval.Record(rtt)
	if due >= p.from {
		p.total.Record(rtt)
	}
}

// fail keeps the first reason the probe stopped, unless it was told to.
func (p *probe) fail(err error) {
	select {
	case <-p.stop:
		return // closed on purpose
	default:
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err == nil {
		p.err = err
	}
}

// cut returns the round trips answered since the last cut.
func (p *probe) cut() *Latency {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := latencyOf(LatencyProbe, p.interval, p.sent-p.answered)
	p.interval.Reset()
	return &l
}

// rebase leaves the round trips due until now out of the test's figures.
func (p *probe) rebase() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.from = time.Since(p.epoch)
	p.total.Reset()
}

// halted reports whether halt was called.
func (p *probe) halted() bool {
	select {
	case <-p.stop:
		return true
	default:
		return false
	}
}

// halt stops sending: the test's load has ended. Echoes still on their
// way are counted until report.
func (p *probe) halt() {
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
}

// close stops the probe and closes its connection; it may be called
// again (report closes it, and so does the client's end of test), and
// only the first call does anything: a thread probe's close gives its P
// back to procs, and twice would leave the process's count of thread loops
// one short each test (TestThreadsEnd found it at -16 after eight).
func (p *probe) close() { p.closed.Do(p.shutdown) }

// shutdown is close, once.
func (p *probe) shutdown() {
	p.halt()
	if p.io == nil { // never started
		_ = p.conn.Close()
		return
	}
	p.io.shut()
	p.wg.Wait()
	p.io.close()
}

// report stops the probe and returns its figures; what was sent and not
// answered by now is unanswered.
func (p *probe) report() *LatencyReport {
	p.close()
	p.mu.Lock()
	defer p.mu.Unlock()
	r := &LatencyReport{
		Source: LatencyProbe, Rate: p.rate,
		Idle: latencyOf(LatencyProbe, p.idle, 0), Loaded: latencyOf(LatencyProbe, p.total, p.sent-p.answered),
	}
	var notes []string
	if p.err != nil {
		notes = append(notes, "the probe stopped early: "+p.err.Error())
	}
	if _, polled := p.io.(connProbe); polled {
		notes = append(notes, polledNote)
	}
	r.Note = strings.Join(notes, "; ")
	return r
}
