package engine

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"time"

	"github.com/goperf/goperf/engine/transport"
	"github.com/goperf/goperf/engine/wire"
	"github.com/goperf/goperf/sockopt"
)

// ctrlTimeout bounds every control read and write outside the data phase,
// unless a server's ControlTimeout says otherwise. iperf3 3.15+ give up
// after 10 s without progress too.
const ctrlTimeout = 10 * time.Second

// aLongTimeAgo is a deadline in the past: it ends a blocked read at once.
var aLongTimeAgo = time.Unix(1, 0)

// ctrl is the control connection of one test. Every read has a deadline,
// except the wait for the end of the data phase, which readDuring bounds
// differently. Cancelling ctx interrupts a read in progress.
type ctrl struct {
	conn    net.Conn
	ctx     context.Context
	stop    func() bool   // stops the context watch
	timeout time.Duration // of each read and write outside the data phase
}

func newCtrl(ctx context.Context, conn net.Conn, timeout time.Duration) *ctrl {
	c := &ctrl{conn: conn, ctx: ctx, timeout: timeout}
	c.stop = context.AfterFunc(ctx, func() {
		_ = conn.SetDeadline(aLongTimeAgo) // fails only once closed
	})
	return c
}

// close releases the connection and the context watch.
func (c *ctrl) close() error {
	c.stop()
	return c.conn.Close()
}

// setReadDeadline sets the read deadline to t (zero: none) without losing a
// cancellation of ctx that raced with it: context.AfterFunc runs after the
// cancel, so either it sees our deadline and overrides it, or we see the
// cancellation here.
func (c *ctrl) setReadDeadline(t time.Time) {
	_ = c.conn.SetReadDeadline(t)
	if c.ctx.Err() != nil {
		_ = c.conn.SetReadDeadline(aLongTimeAgo)
	}
}

// wrap turns a read error into ErrInterrupted when ctx is done, and an
// unexpected EOF into ErrControlClosed.
func (c *ctrl) wrap(err error) error {
	switch {
	case err == nil:
		return nil
	case c.ctx.Err() != nil:
		return ErrInterrupted
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed), transport.IsReset(err):
		return ErrControlClosed
	}
	return err
}

// readState reads one state byte within the timeout.
func (c *ctrl) readState() (wire.State, error) {
	c.setReadDeadline(time.Now().Add(c.timeout))
	st, err := wire.ReadState(c.conn)
	return st, c.wrap(err)
}

// readJSON reads one framed JSON document of at most max bytes within
// the timeout.
func (c *ctrl) readJSON(max uint32) ([]byte, error) {
	c.setReadDeadline(time.Now().Add(c.timeout))
	b, err := wire.ReadJSON(c.conn, max)
	return b, c.wrap(err)
}

// write sends raw bytes within the timeout.
func (c *ctrl) write(b []byte) error {
	_ = c.conn.SetWriteDeadline(time.Now().Add(c.timeout))
	_, err := c.conn.Write(b)
	return c.wrap(err)
}

func (c *ctrl) writeState(s wire.State) error {
	return c.write([]byte{s.Byte()})
}

func (c *ctrl) writeJSON(v any) error {
	_ = c.conn.SetWriteDeadline(time.Now().Add(c.timeout))
	return c.wrap(wire.WriteJSON(c.conn, v))
}

// readDuring waits for a state byte while the data phase runs. It returns
// early, with an error for which isTimeout holds, when the run ends locally
// (r.ended), ctx is done, or the deadline passes (zero: none).
func (c *ctrl) readDuring(r *run, deadline time.Time) (wire.State, error) {
	c.setReadDeadline(deadline)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-r.ended:
			_ = c.conn.SetReadDeadline(aLongTimeAgo)
		case <-stop:
		}
	}()
	st, err := wire.ReadState(c.conn)
	close(stop)
	<-done
	return st, err
}

// isTimeout reports whether err is a deadline expiry.
func isTimeout(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded)
}

// ctrlRTT reads the control connection's smoothed round-trip time, which
// sizes the drain of datagrams still in flight at the end of a test.
func ctrlRTT(conn net.Conn) time.Duration {
	if tc, ok := conn.(*net.TCPConn); ok {
		if ti, err := sockopt.ReadTCPInfo(tc); err == nil {
			return time.Duration(ti.RTT) * time.Microsecond
		}
	}
	return 0
}

// ctrlMSS reads the control connection's MSS, iperf3's tcp_mss_default.
func ctrlMSS(conn net.Conn) int {
	if tc, ok := conn.(*net.TCPConn); ok {
		if g, err := sockopt.Read(tc); err == nil {
			return g.MSS
		}
	}
	return 0
}
