package engine

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goperf/goperf/sockopt"
)

// endReason says why a test's data phase ended.
type endReason int

const (
	endTime        endReason = iota + 1 // the duration elapsed
	endBudget                           // -n or -k reached
	endPeer                             // the peer ended it (TEST_END, or a close)
	endInterrupted                      // the context was cancelled
	endIdle                             // no data moved for the idle timeout
	endFailed                           // a stream failed
	endLimit                            // the test broke a server limit
)

// run is the data phase of one test: its streams, their goroutines and the
// signal that ends it. Client and server share it.
type run struct {
	spec    *Spec
	streams []*stream
	start   time.Time // TEST_START

	ended    chan struct{} // closed by the first end
	endOnce  sync.Once
	reason   endReason // set before ended is closed
	cause    error     // set before ended is closed
	stopping atomic.Bool
	stopOnce sync.Once
	wg       sync.WaitGroup

	procs   *threadProcs // the Ps of thread loops, shared with other tests
	threads int          // streams counted in procs
	gone    goneWaits    // what the streams' ended threads waited for a CPU
}

func newRun(spec *Spec, streams []*stream) *run {
	return &run{spec: spec, streams: streams, ended: make(chan struct{})}
}

// prepare settles how each stream calls the kernel before the loops
// start: the I/O path (see choosePath), and for UDP the batched datagram
// I/O.
func (r *run) prepare(procs *threadProcs, end endChoices) error {
	n := len(r.streams)
	path := choosePath(end.io, n, procs.fits(n))
	if end.io == IOAuto {
		path = fastPathIO(path, r.spec, len(end.cpus) > 0)
	}
	if path == pathThread {
		r.procs, r.threads = procs, n
		procs.add(n)
	}
	free := leaveCoreFree(n)
	for i, s := range r.streams {
		if r.spec.Proto == TCP && !s.sender {
			s.prepareRecv(free)
		}
		s.setPath(path)
		s.ownThread = s.path == pathThread && free
		if s.ownThread && !s.sender {
			s.spin.For = end.spin
		}
		if s.path == pathThread {
			if err := s.detach(threadBackstop); err != nil {
				return err
			}
		}
		if r.spec.Proto == UDP {
			if err := s.prepareUDP(r.spec, end.udp); err != nil {
				return err
			}
		}
		if err := s.setFast(r.spec, cpuFor(end.cpus, i)); err != nil {
			return err
		}
		s.recvAwake()
		if err := s.setFile(end.file); err != nil {
			return err
		}
	}
	return nil
}

// endChoices are what one end chooses for its own streams, beyond the
// test both agreed on.
type endChoices struct {
	io   IOMode        // how the streams call the kernel
	spin time.Duration // how long a receiver with a thread to itself polls (DefaultRecvSpin); 0 = never
	udp  udpOptions    // how UDP streams batch
	cpus []int         // where their threads run; nil = anywhere
	file string        // -F: the file the data comes from or goes to
}

// prepareUDP sets up the stream's batched datagram I/O, without the
// offloads the client turned off; a receiver that skips the copy reads
// headers only, without GRO.
func (s *stream) prepareUDP(spec *Spec, opts udpOptions) error {
	opts.GSO, opts.GRO = opts.GSO && !spec.NoGSO, opts.GRO && !spec.NoGRO
	if spec.SkipRxCopy && !s.sender {
		opts.GRO, opts.Discard = false, true
	}
	opts.Spin = s.spin.For
	dio, err := newDatagramIO(s.conn, opts, s.path == pathThread)
	if err != nil {
		return fmt.Errorf("stream %d: %w", s.id, err)
	}
	s.udp = newUDPStream(dio, s.sender, spec, opts)
	return nil
}

// begin starts one goroutine per stream. The client passes ends so that
// -n and -k end its test; a server's senders still stop at the byte or
// block count, so a reverse test moves exactly what was asked for, but the
// client's TEST_END ends the test.
func (r *run) begin(ends bool) {
	exhausted := func() {}
	if ends {
		exhausted = func() { r.end(endBudget, nil) }
	}
	b := newBudget(r.spec, exhausted)
	for _, s := range r.streams {
		if ends || s.sender {
			s.budget = b
		}
		s.epoch = r.start
		if s.udp != nil && r.spec.Omit > 0 {
			s.udp.omitEnd = r.start.Add(r.spec.Omit)
		}
		if s.sender {
			s.fineTimer = s.udp != nil && s.path == pathThread
			s.pacer = newPacer(r.spec.Bitrate, len(s.buf), r.spec.pacingTick(len(s.buf)), r.spec.pacerDepth(s.fineTimer))
		}
		if s.file != nil && s.sender {
			s.file.eof = exhausted // the end of the file ends a client's test
		}
		r.wg.Add(1)
		go r.loop(s)
	}
}

// loop runs one stream and reports a failure that the test did not cause.
func (r *run) loop(s *stream) {
	defer r.wg.Done()
	defer close(s.done)
	if s.path == pathThread || s.fineTimer && s.pacer != nil || s.cpu >= 0 {
		defer r.gone.record() // last, locked: the thread ends after it
	}
	if s.path == pathThread {
		// Ending locked makes the runtime end the thread, which it
		// would otherwise keep idle for good: see thread.go.
		defer runtime.LockOSThread()
	}
	if s.fineTimer && s.pacer != nil {
		// A paced UDP sender keeps its thread and the thread a fine
		// timer slack (pacer.go, udpWake); the thread ends with the
		// stream, so the slack needs no restoring.
		runtime.LockOSThread()
		_, _ = sockopt.SetTimerSlack(1) // without it, sleeps are up to 50 µs later, which the bucket absorbs
	}
	if s.ownThread {
		runtime.LockOSThread() // thread.go
	}
	err := s.pin()
	defer s.unpin()
	switch {
	case err != nil:
	case s.udp != nil && s.sender:
		err = s.sendUDP()
	case s.udp != nil:
		err = s.recvUDP()
	case s.sender:
		err = s.sendTCP()
	default:
		err = s.recvTCP()
	}
	s.err = err
	if err == nil || r.stopping.Load() || errors.Is(err, io.EOF) {
		return
	}
	r.end(endFailed, &streamError{id: s.id, sending: s.sender, err: err})
}

// readCPU reads the process's CPU clocks with the waits of the threads
// the run's streams ended, and the time their receivers polled.
func (r *run) readCPU() cpuClock {
	c := readCPU()
	r.gone.into(&c)
	for _, s := range r.streams {
		c.polled += s.polledTime()
	}
	return c
}

// streamError is a stream's failure that the test did not cause.
type streamError struct {
	id      int
	sending bool
	err     error
}

func (e *streamError) Error() string {
	op := "receiving on"
	if e.sending {
		op = "sending on"
	}
	return fmt.Sprintf("%s stream %d: %v", op, e.id, e.err)
}

func (e *streamError) Unwrap() error { return e.err }

// end records the first reason the data phase ends; later calls are no-ops.
func (r *run) end(reason endReason, cause error) {
	r.endOnce.Do(func() {
		r.reason, r.cause = reason, cause
		close(r.ended)
	})
}

// snapshot reads every stream's counters.
func (r *run) snapshot() []counters {
	c := make([]counters, len(r.streams))
	for i, s := range r.streams {
		c[i] = s.read()
	}
	return c
}

// stopSenders makes every local sender return: halt ends a thread loop, a
// past write deadline ends a blocked write through the poller, and closing
// wake ends a pacing wait. Receivers keep draining. Errors the streams see
// from now on are expected.
func (r *run) stopSenders() {
	r.stopping.Store(true)
	r.stopOnce.Do(func() {
		past := time.Unix(1, 0)
		for _, s := range r.streams {
			if s.sender {
				s.halt.Store(true)
				_ = s.conn.SetWriteDeadline(past) // fails only on a closed conn, which also stops it
				close(s.wake)
			}
		}
	})
}

// close closes every stream and waits for their goroutines. A thread loop
// holds its descriptor, so its socket is shut down first to wake it.
func (r *run) close() {
	r.stopping.Store(true)
	for _, s := range r.streams {
		if s.udp != nil {
			s.udp.holdDrops()
		}
		s.halt.Store(true)
		s.wakeThread(true, true)
		_ = s.conn.Close() // the loop sees net.ErrClosed; nothing to report
	}
	r.wg.Wait()
	for _, s := range r.streams {
		s.closeFast()
		s.closeFile()
	}
	if r.procs != nil {
		r.procs.done(r.threads)
		r.procs = nil
	}
}

// Bounds of the end-of-test drain.
const (
	drainTimeout   = 3 * time.Second       // longest wait for receivers to see EOF
	drainQuiet     = 20 * time.Millisecond // a stock peer's data has stopped when nothing arrives this long
	udpDrainQuiet  = 50 * time.Millisecond // the same for datagrams, at least; twice the RTT when longer
	drainMax       = 2 * time.Second       // longest drain
	udpStockSettle = 50 * time.Millisecond // a UDP client pauses this long, at least, before telling a stock server TEST_END
)

// stopSending stops the local senders and waits for their goroutines, so
// their counters are final. A stopped write returns at once.
func (r *run) stopSending() {
	r.stopSenders()
	for _, s := range r.streams {
		if s.sender {
			<-s.done
		}
	}
}

// halfClose shuts the write side of every sending TCP stream, so the peer's
// receivers see EOF once all data has arrived.
func (r *run) halfClose() {
	for _, s := range r.streams {
		if hc, ok := s.conn.(halfCloser); s.sender && s.udp == nil && ok {
			_ = hc.CloseWrite() // a peer that is gone has nothing left to read
		}
	}
}

// drainEOF waits until every receiver has read to EOF, or the timeout. The
// peer half-closed its sending streams, so every byte it sent is counted.
func (r *run) drainEOF(timeout time.Duration) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for _, s := range r.streams {
		if s.sender {
			continue
		}
		select {
		case <-s.done:
		case <-timer.C:
			return
		}
	}
}

// drainQuiet lets receivers read what a peer sent before its TEST_END,
// until nothing arrives for quiet, or drainMax passes. It serves stock TCP
// peers, which do not half-close, and every UDP peer.
func (r *run) drainQuiet(quiet time.Duration) {
	if !slices.ContainsFunc(r.streams, func(s *stream) bool { return !s.sender }) {
		return
	}
	deadline := time.Now().Add(drainMax)
	last := r.received()
	for time.Now().Before(deadline) {
		time.Sleep(quiet)
		now := r.received()
		if now == last {
			return
		}
		last = now
	}
}

// settle makes the counters final at the end of a test. The senders have
// stopped; TCP receivers read to EOF when the peer half-closes its streams,
// else until its data stops; UDP receivers read until datagrams stop
// coming for rtt-scaled quiet, then stop.
func (r *run) settle(peerHalfCloses bool, rtt time.Duration) {
	switch {
	case r.spec.Proto == UDP:
		r.drainQuiet(max(udpDrainQuiet, 2*rtt))
		r.stopReceivers()
	case peerHalfCloses:
		r.drainEOF(drainTimeout)
	default:
		r.drainQuiet(drainQuiet)
	}
}

// stopReceivers ends the receivers' loops with a past read deadline and
// waits for them, so their bookkeeping can be read.
func (r *run) stopReceivers() {
	r.stopping.Store(true)
	for _, s := range r.streams {
		if !s.sender {
			s.halt.Store(true)
			s.wakeThread(true, false)
			_ = s.conn.SetReadDeadline(aLongTimeAgo) // fails only on a closed conn, which also stops it
		}
	}
	for _, s := range r.streams {
		if !s.sender {
			<-s.done
		}
	}
}

// received sums the bytes of the receiving streams.
func (r *run) received() uint64 {
	var n uint64
	for _, s := range r.streams {
		if !s.sender {
			n += s.bytes.Load()
		}
	}
	return n
}
