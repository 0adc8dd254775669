package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/goperf/goperf/engine/transport"
	"github.com/goperf/goperf/engine/wire"
)

// serverGrace is how late after the test's length TEST_END may come.
const serverGrace = 15 * time.Second

// session is one test from the server's side, from the control
// connection's cookie to IPERF_DONE.
type session struct {
	srv    *Server
	no     int // test number, for logs
	cookie wire.Cookie
	ctrl   *ctrl
	peer   net.Addr

	// Guarded by srv.mu: the data streams arriving on the shared listeners.
	accepting    bool     // TCP streams with this cookie are welcome
	udpAccepting bool     // UDP streams are (see udpTarget)
	answerStops  []func() // stop the pending UDP streams' answerRepeats
	want         int
	pending      []pendingConn
	nextSeq      uint64        // arrival order of UDP streams
	ready        chan struct{} // closed when want streams arrived
	probeOpen    bool          // the next TCP connection with the cookie is the latency probe
	probe        *probeEcho

	peerIP netip.Addr // the client's address, to match UDP streams

	spec       *Spec
	memory     int64 // the test's buffers, reserved from the server's budget
	authFailed bool  // refused for its credentials: no test for a one-off server
	goperf     bool  // the client is goperf: it half-closes after TEST_END
	out        Output
	rep        reporter
	captured   *cappedText // text output, for get_server_output
	streams    []*stream
	run        *run
	outcome    *outcome

	// For the server's account (account.go): when the test began, its
	// run while the streams move data (read by Stats from other
	// goroutines), and the summary of a completed test.
	begun   time.Time
	running atomic.Pointer[run]
	summary *Summary
}

func newSession(ctx context.Context, srv *Server, no int, cookie wire.Cookie, conn net.Conn) *session {
	ss := &session{srv: srv, no: no, cookie: cookie, ctrl: newCtrl(ctx, conn, srv.cfg.ControlTimeout), peer: conn.RemoteAddr(), ready: make(chan struct{}), begun: time.Now()}
	if ap, err := netip.ParseAddrPort(conn.RemoteAddr().String()); err == nil {
		ss.peerIP = ap.Addr().Unmap()
	}
	return ss
}

// execute serves the test, logs its failure in one line, and returns it.
func (ss *session) execute() error {
	defer ss.ctrl.close()
	defer ss.closeStreams()
	err := ss.serve()
	if err == nil {
		return nil
	}
	ss.srv.out.Log.Error("test #%d from %v: %v", ss.no, ss.peer, err)
	if ss.rep != nil {
		ss.rep.failed(err)
	}
	return err
}

// serve follows iperf3's server state machine.
func (ss *session) serve() error {
	if err := ss.readSpec(); err != nil {
		return err
	}
	if err := ss.acceptStreams(); err != nil {
		return err
	}
	if err := ss.dataPhase(); err != nil {
		return err
	}
	return ss.exchangeResults()
}

// readSpec asks for the parameters and checks them. A bad document gets
// SERVER_ERROR with iperf3's code, so a stock client prints a sensible line.
func (ss *session) readSpec() error {
	body, err := ss.ask(wire.ParamExchange, wire.MaxParamsLen, wire.CodeRecvParams, "parameters")
	if err != nil {
		return err
	}
	p, err := wire.DecodeParams(body)
	if err != nil {
		ss.sendError(wire.CodeRecvParams)
		return err
	}
	if err := ss.authenticate(p); err != nil {
		return err
	}
	spec, err := specFromParams(p)
	if err == nil {
		err = ss.srv.cfg.Limits.admit(spec)
	}
	if err == nil {
		err = checkFastPaths(spec, ss.srv.cfg.IO, ss.srv.cpusFor(spec))
	}
	if err == nil && spec.Proto == TCP {
		err = checkFile(spec, ss.srv.cfg.File) // a UDP test ignores the server's file
	}
	if err == nil {
		err = ss.srv.reserveFor(ss, spec)
	}
	if err != nil {
		ss.sendSpecError(err, 0)
		return fmt.Errorf("parameters: %w", err)
	}
	if spec.Proto == UDP && ss.srv.udp == nil {
		ss.sendError(wire.CodeStreamListen)
		return fmt.Errorf("parameters: this server does not serve UDP")
	}
	ss.spec = spec
	ss.srv.started()
	if p.Goperf != nil && p.Goperf.V >= 1 {
		if err := ss.hello(); err != nil {
			return err
		}
	}
	ss.out = ss.srv.out
	if spec.GetServerOutput && ss.out.Format == Text {
		ss.captured = newCappedText()
		ss.out.W = io.MultiWriter(ss.srv.w, ss.captured)
	}
	ss.rep = newReporter(ss.out, false)
	switch host, port := hostPort(ss.peer); {
	case ss.out.Format != Text:
	case ss.out.Iperf3 && ss.out.Verbose:
		fmt.Fprintf(ss.out.W, "Time: %s\nAccepted connection from %s, port %d\n      Cookie: %s\n",
			iperf3Time(time.Now()), host, port, ss.cookie)
		if spec.Proto == TCP {
			fmt.Fprintf(ss.out.W, "      TCP MSS: %d (default)\n", spec.MSS) // as iperf3's server: what -M asked, 0 for none
		}
	case ss.out.Iperf3:
		fmt.Fprintf(ss.out.W, "Accepted connection from %s, port %d\n", host, port)
	default:
		fmt.Fprintf(ss.out.W, "Accepted connection from %s, port %d (test #%d)\n", host, port, ss.no)
	}
	return nil
}

// hello answers a goperf client's extension with the server's own.
func (ss *session) hello() error {
	ss.goperf = true
	if err := ss.ctrl.writeState(wire.GoperfHello); err != nil {
		return err
	}
	return ss.ctrl.writeJSON(wire.Hello{V: wire.ExtVersion, Version: Version, HalfClose: true, Latency: ss.spec.Latency})
}

// ask writes state and reads the document the client answers with, of at
// most max bytes. A document that does not come is reported to the client
// as code.
func (ss *session) ask(state wire.State, max uint32, code wire.Code, what string) ([]byte, error) {
	if err := ss.ctrl.writeState(state); err != nil {
		return nil, err
	}
	body, err := ss.ctrl.readJSON(max)
	if err != nil {
		ss.sendError(code)
		return nil, fmt.Errorf("reading %s: %w", what, err)
	}
	return body, nil
}

// sendError reports code to the client; the connection closes after it.
func (ss *session) sendError(code wire.Code) { ss.sendErrorNo(code, 0) }

// sendSpecError reports err's iperf3 code to the client, or fallback
// when err carries none (0: report nothing).
func (ss *session) sendSpecError(err error, fallback wire.Code) {
	var se *specError
	switch {
	case errors.As(err, &se):
		ss.sendErrorNo(se.code, se.errno)
	case fallback != 0:
		ss.sendError(fallback)
	}
}

// cpus returns the cores the test's stream threads go on, if any.
func (ss *session) cpus() []int { return ss.srv.cpusFor(ss.spec) }

// sendErrorNo reports code and errno to the client, as iperf3 does with
// its errno after a failed call.
func (ss *session) sendErrorNo(code wire.Code, errno syscall.Errno) {
	_ = ss.ctrl.write((&wire.ServerError{Code: code, Errno: int32(errno)}).Bytes()) // the client may be gone
}

// dataPhase starts the test and runs it until the client's TEST_END.
func (ss *session) dataPhase() error {
	sp := ss.spec
	r := newRun(sp, ss.streams)
	ss.run = r // closeStreams closes what prepare made, even if it fails
	ss.running.Store(r)
	// Before TEST_START, so that the client's clock, which starts when
	// TEST_START arrives, does not start before the server's.
	if err := r.prepare(&procs, endChoices{io: ss.srv.cfg.IO, spin: serverSpin(sp.RecvSpin, ss.srv.cfg.RecvSpin), udp: ss.srv.cfg.UDP.options(), cpus: ss.cpus(), file: ss.srv.cfg.File}); err != nil {
		ss.sendSpecError(err, wire.CodeStreamListen)
		return err
	}
	if w := fqWarning(sp, ss.streams); w != "" {
		ss.srv.out.Log.Error("test #%d: %s", ss.no, w)
	}
	if err := ss.ctrl.write([]byte{wire.TestStart.Byte(), wire.TestRunning.Byte()}); err != nil {
		return err
	}
	r.start = time.Now()
	cpuStart := r.readCPU()
	host, port := hostPort(ss.peer)
	ss.rep.started(&startInfo{spec: sp, peer: host, peerPort: port, cookie: ss.cookie.String(),
		streams: streamStarts(ss.streams), when: r.start, ctrlMSS: ctrlMSS(ss.ctrl.conn), interval: ss.srv.cfg.Interval})
	sm := newSampler(r, ss.srv.cfg.Interval, ss.srv.cfg.IdleTimeout, ss.rep.interval)
	sm.guard = newGuard(ss.srv.cfg.Limits, sp, r.start)
	r.begin(false)
	sm.start()
	var deadline time.Time
	if sp.Duration > 0 {
		deadline = r.start.Add(sp.Omit + sp.Duration + serverGrace)
	}
	st, err := ss.ctrl.readDuring(r, deadline)
	end := time.Now()
	sm.halt()
	cpu := r.readCPU().since(cpuStart)
	r.stopSending()
	if err == nil && st == wire.TestEnd {
		ss.drain()
	}
	ss.outcome = &outcome{spec: sp, streams: ss.streams, local: sm.finish(end, r.snapshot()), cpu: cpu, congestion: congestionOf(ss.streams)}
	r.close()
	return ss.ended(st, err)
}

// drain counts what the client sent before its TEST_END. A goperf client
// half-closes its TCP streams, so the server reads to EOF, and does the same
// for it; a stock client's data, and UDP, is drained until it stops.
func (ss *session) drain() {
	if ss.goperf {
		ss.run.halfClose()
	}
	ss.run.settle(ss.goperf, ctrlRTT(ss.ctrl.conn))
}

// ended decides what the end of the data phase means and tells the client
// when the server ended it.
func (ss *session) ended(st wire.State, err error) error {
	r := ss.run
	switch {
	case err == nil && st == wire.TestEnd:
		return nil
	case err == nil && st == wire.ClientTerminate:
		return ErrClientTerminated
	case err == nil:
		ss.sendError(wire.CodeMessage)
		return &ProtocolError{Step: "data phase", Err: fmt.Errorf("received %v while waiting for TEST_END", st)}
	case ss.ctrl.ctx.Err() != nil:
		_ = ss.ctrl.write([]byte{wire.ServerTerminate.Byte()}) // best effort: the server is leaving
		return errors.New("the server is shutting down")
	case !isTimeout(err):
		return fmt.Errorf("during the test: %w", ss.ctrl.wrap(err))
	case r.reason == endIdle:
		ss.sendError(wire.CodeNoMsg)
		return fmt.Errorf("idle: %w", r.cause)
	case r.reason == endLimit:
		var le *limitError
		if errors.As(r.cause, &le) {
			ss.sendError(le.code)
		}
		return r.cause
	case r.reason == endFailed:
		code := wire.CodeStreamRead
		var se *streamError
		if errors.As(r.cause, &se) && se.sending {
			code = wire.CodeStreamWrite
		}
		ss.sendError(code)
		if transport.IsReset(r.cause) {
			return fmt.Errorf("the client went away during the test (%w)", r.cause)
		}
		return r.cause
	}
	ss.sendError(wire.CodeTestDurationExpire)
	return fmt.Errorf("no TEST_END within %v of the test's end", serverGrace)
}

// exchangeResults swaps results with the client, reports, and waits for
// IPERF_DONE.
func (ss *session) exchangeResults() error {
	body, err := ss.ask(wire.ExchangeResults, wire.MaxClientResultsLen, wire.CodeRecvResults, "the client's results")
	if err != nil {
		return err
	}
	remote, err := wire.DecodeResults(body)
	if err != nil {
		ss.sendError(wire.CodeRecvResults)
		return err
	}
	sum, err := ss.outcome.summarize(remote, false)
	if err != nil {
		ss.sendError(wire.CodeStreamID)
		return err
	}
	ss.rep.finished(sum)
	ss.received(sum)
	ss.summary = sum
	res := ss.outcome.results(remote)
	if ss.spec.GetServerOutput {
		if ss.captured != nil {
			res.ServerOutputText = ss.captured.String()
		}
		if jr, ok := ss.rep.(*jsonReporter); ok {
			res.ServerOutputJSON = jr.document()
		}
	}
	if err := ss.ctrl.writeJSON(res); err != nil {
		return fmt.Errorf("sending results: %w", err)
	}
	if err := ss.ctrl.writeState(wire.DisplayResults); err != nil {
		return err
	}
	st, err := ss.ctrl.readState()
	switch {
	case err != nil:
		return fmt.Errorf("waiting for IPERF_DONE: %w", err)
	case st != wire.IperfDone:
		return &ProtocolError{Step: "end", Err: fmt.Errorf("received %v while waiting for IPERF_DONE", st)}
	}
	return nil
}

// received prints the seed's one-line account of the test (not iperf3's).
func (ss *session) received(sum *Summary) {
	if ss.out.Format != Text || ss.out.Iperf3 {
		return
	}
	for _, t := range []*Totals{&sum.Forward, sum.Reverse} {
		if t == nil {
			continue
		}
		verb, side, prep := "Received", t.Receiver, "from"
		if t.Local {
			verb, side, prep = "Sent", t.Sender, "to"
		}
		fmt.Fprintf(ss.out.W, "%s %d KB in %.2f seconds (rate=%.2f Mbps) %s %v\n",
			verb, side.Bytes/1024, side.Seconds, side.BitsPerSecond()/1e6, prep, ss.peer)
	}
}

// closeStreams closes the test's data connections.
func (ss *session) closeStreams() {
	ss.closeProbe()
	if ss.run != nil {
		ss.run.close()
		return
	}
	ss.stopAccepting()
	for _, s := range ss.streams {
		_ = s.conn.Close() // never started
	}
}
