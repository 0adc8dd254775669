package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"

	"github.com/goperf/goperf/engine/wire"
	"github.com/goperf/goperf/sockopt"
)

// Client defaults.
const (
	defaultConnectTimeout = 10 * time.Second
	defaultRecvTimeout    = 120 * time.Second // iperf3's --rcv-timeout
	closeGrace            = 2 * time.Second   // wait for the server's close after IPERF_DONE
)

// RunClient runs one test against the server cfg names and returns its
// summary. Reports go to out as they happen; on failure out also gets the
// error in JSON formats, and the returned error says what went wrong in one
// line.
func RunClient(ctx context.Context, cfg ClientConfig, out Output) (*Summary, error) {
	c := &client{cfg: cfg, out: out, rep: newReporter(out, true), cookie: wire.NewCookie()}
	sum, err := c.runTest(ctx)
	switch {
	case errors.Is(err, ErrInterrupted) && c.summary != nil:
		return c.summary, err // reported with the partial summary (terminate)
	case err != nil:
		c.rep.failed(err)
	}
	return sum, err
}

// client is one test from the client's side.
type client struct {
	cfg    ClientConfig
	out    Output
	rep    reporter
	cookie wire.Cookie
	ctrl   *ctrl
	mss    int // MSS of the control connection

	hello    wire.Hello // a goperf server's capabilities; zero for iperf3
	streams  []*stream
	run      *run
	sampler  *sampler
	probe    *probe        // --latency against a goperf server
	latency  latencySource // --latency's figures; nil without it
	cpuStart cpuClock
	end      time.Time // when the client decided the test was over
	cpu      CPUUtil   // the client's CPU use until then
	outcome  *outcome
	summary  *Summary
	srvText  string
	srvJSON  []byte
}

func (c *client) runTest(ctx context.Context) (*Summary, error) {
	if err := c.cfg.check(); err != nil {
		return nil, err
	}
	c.announce()
	if err := c.connect(ctx); err != nil {
		return nil, err
	}
	c.announced()
	defer c.ctrl.close()
	defer c.closeStreams()
	return c.converse()
}

// connect opens the control connection and sends the cookie.
func (c *client) connect(ctx context.Context) error {
	conn, err := c.dial(ctx, c.cfg.Family.network(TCP), 0, sockopt.Options{Device: c.cfg.Device}, nil)
	if err != nil {
		return err
	}
	if ka := c.cfg.ControlKeepAlive; ka.Enable {
		if err := conn.(*net.TCPConn).SetKeepAliveConfig(ka); err != nil {
			conn.Close()
			return fmt.Errorf("control connection keepalive: %w", err)
		}
	}
	c.ctrl = newCtrl(ctx, conn, ctrlTimeout)
	if g, err := sockopt.Read(conn.(syscall.Conn)); err == nil {
		c.mss = g.MSS
	}
	c.out.Log.Verbose("control: connected %v -> %v, MSS %d", conn.LocalAddr(), conn.RemoteAddr(), c.mss)
	if sp := &c.cfg.Spec; sp.Proto == UDP && sp.Length == 0 {
		// iperf3's default datagram: the control connection's MSS.
		sp.Length = DefaultUDPLength
		if c.mss >= MinUDPLength && c.mss <= MaxUDPLength {
			sp.Length = c.mss
		}
		if err := sp.validate(); err != nil {
			return err
		}
	}
	if err := c.ctrl.write(c.cookie[:]); err != nil {
		return fmt.Errorf("sending cookie: %w", err)
	}
	return nil
}

// converse follows the server's state machine to the end of the test.
func (c *client) converse() (*Summary, error) {
	expect := wire.ParamExchange
	for {
		st, err := c.ctrl.readState()
		if err != nil {
			if expect == wire.CreateStreams && c.cfg.Auth != nil && errors.Is(c.ctrl.wrap(err), ErrControlClosed) {
				// iperf3 3.17 and later refuse credentials by closing.
				return nil, fmt.Errorf("the server closed the connection when it got the credentials: it refused them (iperf3 3.17 and later say no more): %w", ErrControlClosed)
			}
			return nil, fmt.Errorf("waiting for %v: %w", expect, err)
		}
		if err := c.checkState(st, expect); err != nil {
			return nil, err
		}
		c.out.Log.Verbose("control: the server says %v", st)
		switch st {
		case wire.ParamExchange:
			expect = wire.CreateStreams
			var p *wire.Params
			if p, err = c.params(); err == nil {
				err = c.ctrl.writeJSON(p)
			}
		case wire.GoperfHello:
			err = c.readHello()
		case wire.CreateStreams:
			err, expect = c.openLatency(), wire.TestStart
			if err == nil {
				err = c.createStreams()
			}
		case wire.TestStart:
			err, expect = c.begin(), wire.TestRunning
		case wire.TestRunning:
			err, expect = c.dataPhase(), wire.ExchangeResults
		case wire.ExchangeResults:
			err, expect = c.exchangeResults(), wire.DisplayResults
		case wire.DisplayResults:
			return c.display()
		}
		if err != nil {
			return nil, err
		}
	}
}

// checkState refuses a state other than the one expected. A goperf
// server's hello may precede CREATE_STREAMS.
func (c *client) checkState(st, expect wire.State) error {
	if st == expect || (st == wire.GoperfHello && expect == wire.CreateStreams && c.hello.V == 0) {
		return nil
	}
	return c.unexpected(st, "waiting for "+expect.String())
}

// unexpected turns a state the client did not ask for into an error: the
// server's error states into their meaning, anything else into a
// ProtocolError.
func (c *client) unexpected(st wire.State, during string) error {
	switch st {
	case wire.AccessDenied:
		return ErrServerBusy
	case wire.ServerErrorCode:
		// The state may have come as the data phase ended, which cut the
		// read deadline short: the code that follows gets its own.
		c.ctrl.setReadDeadline(time.Now().Add(c.ctrl.timeout))
		return c.ctrl.wrap(wire.ReadServerError(c.ctrl.conn))
	case wire.ServerTerminate:
		return ErrServerTerminated
	}
	return &ProtocolError{Step: "control", Err: fmt.Errorf("received %v while %s", st, during)}
}

// readHello reads a goperf server's capabilities.
func (c *client) readHello() error {
	body, err := c.ctrl.readJSON(wire.MaxParamsLen)
	if err != nil {
		return fmt.Errorf("reading the server's hello: %w", err)
	}
	if err := json.Unmarshal(body, &c.hello); err != nil || c.hello.V < 1 {
		return &ProtocolError{Step: "server hello", Err: fmt.Errorf("bad document %.60q", body)}
	}
	return nil
}

// begin marks TEST_START: the clock of the test starts now.
func (c *client) begin() error {
	c.run = newRun(&c.cfg.Spec, c.streams)
	if err := c.run.prepare(&procs, endChoices{io: c.cfg.IO, spin: recvSpin(c.cfg.RecvSpin), udp: c.cfg.UDP.options(), cpus: c.cfg.CPUs, file: c.cfg.File}); err != nil {
		return err
	}
	if w := fqWarning(&c.cfg.Spec, c.streams); w != "" {
		c.out.Log.Error("%s", w)
	}
	c.run.start = time.Now()
	c.cpuStart = c.run.readCPU()
	if len(c.streams) > 0 {
		c.out.Log.Verbose("streams: %d connected, I/O %v", len(c.streams), c.streams[0].path)
	}
	c.rep.started(&startInfo{
		spec: &c.cfg.Spec, client: true, peer: c.cfg.Host, peerPort: c.cfg.Port,
		cookie: c.cookie.String(), streams: streamStarts(c.streams), when: c.run.start,
		ctrlMSS: c.mss, interval: c.cfg.Interval,
	})
	idle := c.cfg.RecvTimeout
	if idle == 0 {
		idle = defaultRecvTimeout
	}
	c.sampler = newSampler(c.run, c.cfg.Interval, idle, c.rep.interval)
	c.latency = c.latencySource()
	c.sampler.latency = c.latency
	return nil
}

// dataPhase runs the streams until the test's end condition, then stops
// the senders and sends TEST_END; on a signal it sends CLIENT_TERMINATE.
func (c *client) dataPhase() error {
	r, sp := c.run, &c.cfg.Spec
	r.begin(true)
	if c.probe != nil {
		c.probe.start(time.Now(), c.cfg.IO, &procs)
	}
	c.sampler.start()
	if sp.Duration > 0 {
		t := time.AfterFunc(time.Until(r.start.Add(sp.Omit+sp.Duration)), func() { r.end(endTime, nil) })
		defer t.Stop()
	}
	st, err := c.ctrl.readDuring(r, time.Time{})
	if c.probe != nil {
		c.probe.halt() // no probe is due after the end
	}
	c.end = time.Now()
	c.sampler.halt()
	c.cpu = r.readCPU().since(c.cpuStart)
	r.stopSending()
	switch {
	case err == nil:
		return c.unexpected(st, "the test ran")
	case c.ctrl.ctx.Err() != nil:
		return c.terminate()
	case !isTimeout(err):
		return fmt.Errorf("during the test: %w", c.ctrl.wrap(err))
	case r.reason == endFailed || r.reason == endIdle:
		return c.failure(r.cause)
	}
	if c.hello.HalfClose {
		r.halfClose()
	}
	if c.cfg.Proto == UDP && !c.hello.HalfClose {
		// A stock iperf3 server stops counting at TEST_END: give it time
		// to read the datagrams still queued for it.
		time.Sleep(max(udpStockSettle, 4*ctrlRTT(c.ctrl.conn)))
	}
	if err := c.ctrl.writeState(wire.TestEnd); err != nil {
		return fmt.Errorf("sending TEST_END: %w", err)
	}
	return nil
}

// measure fixes the client's figures: receivers have read everything the
// server sent (it closes or half-closes its TCP streams before
// EXCHANGE_RESULTS; UDP streams drain until datagrams stop), senders
// stopped at the end.
func (c *client) measure() {
	c.run.settle(true, ctrlRTT(c.ctrl.conn))
	snap := c.run.snapshot()
	c.outcome = &outcome{
		spec: &c.cfg.Spec, streams: c.streams, local: c.sampler.finish(c.end, snap),
		cpu: c.cpu, congestion: congestionOf(c.streams),
	}
}

// failure explains a stream failure. A server that went away usually shows
// on the data streams first; when the control connection confirms it, that
// is the clearer message.
func (c *client) failure(cause error) error {
	c.ctrl.setReadDeadline(time.Now().Add(200 * time.Millisecond))
	st, err := wire.ReadState(c.ctrl.conn)
	if err == nil {
		return c.unexpected(st, "the test ran")
	}
	if werr := c.ctrl.wrap(err); errors.Is(werr, ErrControlClosed) {
		return fmt.Errorf("the server went away during the test (%v)", cause)
	}
	return cause
}

// terminate tells the server the client was interrupted, and reports what
// was measured up to then.
func (c *client) terminate() error {
	_ = c.ctrl.conn.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = c.ctrl.conn.Write([]byte{wire.ClientTerminate.Byte()}) // best effort: we are leaving
	snap := c.run.snapshot()
	c.outcome = &outcome{spec: &c.cfg.Spec, streams: c.streams, local: c.sampler.finish(c.end, snap), cpu: c.cpu}
	if sum, err := c.outcome.summarize(&wire.Results{}, true); err == nil {
		sum.Interrupted = true
		sum.Latency = c.latencyReport()
		c.summary = sum
		c.rep.finished(sum)
	}
	return ErrInterrupted
}

// exchangeResults sends the client's results and reads the server's.
func (c *client) exchangeResults() error {
	c.measure()
	if err := c.ctrl.writeJSON(c.outcome.results(nil)); err != nil {
		return fmt.Errorf("sending results: %w", err)
	}
	body, err := c.ctrl.readJSON(wire.MaxResultsLen)
	if err != nil {
		if errors.Is(err, wire.ErrAccessDenied) {
			return ErrServerBusy
		}
		return fmt.Errorf("reading the server's results: %w", err)
	}
	remote, err := wire.DecodeResults(body)
	if err != nil {
		return &ProtocolError{Step: "server results", Err: err}
	}
	c.summary, err = c.outcome.summarize(remote, true)
	if err == nil {
		c.summary.Latency = c.latencyReport()
	}
	c.srvText, c.srvJSON = remote.ServerOutputText, remote.ServerOutputJSON
	return err
}

// display closes the streams, reports, and says goodbye as a 3.21 peer
// expects: IPERF_DONE, half-close, wait for the server's close.
func (c *client) display() (*Summary, error) {
	c.closeStreams()
	c.rep.serverOutput(c.srvText, c.srvJSON)
	c.rep.finished(c.summary)
	if err := c.ctrl.writeState(wire.IperfDone); err != nil {
		return c.summary, fmt.Errorf("sending IPERF_DONE: %w", err)
	}
	if tc, ok := c.ctrl.conn.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
		c.ctrl.setReadDeadline(time.Now().Add(closeGrace))
		var b [64]byte
		for { // drain until the server closes; its bytes mean nothing now
			if _, err := c.ctrl.conn.Read(b[:]); err != nil {
				break
			}
		}
	}
	return c.summary, nil
}

// closeStreams closes the data streams and waits for their goroutines.
func (c *client) closeStreams() {
	if c.probe != nil {
		c.probe.close()
	}
	if c.run != nil {
		c.run.close()
		return
	}
	for _, s := range c.streams {
		_ = s.conn.Close() // never started: nothing to wait for
	}
}
