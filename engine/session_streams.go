package engine

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"time"

	"github.com/goperf/goperf/engine/wire"
	"github.com/goperf/goperf/sockopt"
)

// How a test's data streams arrive at the server: offered by the
// listener as their cookies are read, taken in the order they connected.

// pendingConn is a data connection and its place in the accept order.
type pendingConn struct {
	conn net.Conn
	seq  uint64
}

// offer takes conn as a TCP data stream if the test is waiting for one.
// The caller holds srv.mu.
func (ss *session) offer(conn net.Conn, seq uint64) bool {
	if ss.takeProbe(conn) {
		return true
	}
	if !ss.accepting {
		return false
	}
	return ss.offerLocked(conn, seq)
}

// offerLocked adds a stream, in arrival order seq, unless the test has all
// it asked for. The caller holds srv.mu.
func (ss *session) offerLocked(conn net.Conn, seq uint64) bool {
	if len(ss.pending) >= ss.want {
		return false
	}
	ss.pending = append(ss.pending, pendingConn{conn, seq})
	if len(ss.pending) == ss.want {
		ss.accepting, ss.udpAccepting = false, false
		close(ss.ready)
	}
	return true
}

// acceptStreams opens the test to its data streams and waits for all of
// them. Their order of arrival is their order of connection: it fixes the
// ids and, in bidir, who sends.
func (ss *session) acceptStreams() error {
	sp := ss.spec
	ss.openProbe()
	if sp.Proto == UDP {
		if err := ss.acceptUDP(); err != nil {
			ss.sendError(wire.CodeStreamListen)
			return err
		}
	} else {
		ss.srv.mu.Lock()
		ss.want, ss.accepting = sp.totalStreams(), true
		ss.srv.mu.Unlock()
	}
	if err := ss.ctrl.writeState(wire.CreateStreams); err != nil {
		return err
	}
	timer := time.NewTimer(ss.ctrl.timeout)
	defer timer.Stop()
	defer ss.stopAnswering() // also on the paths that return early
	select {
	case <-ss.ready:
		ss.stopAnswering()
	case <-timer.C:
		arrived := ss.stopAccepting()
		ss.sendError(wire.CodeStreamAccept)
		return fmt.Errorf("%d of %d data streams arrived within %v", arrived, ss.want, ss.ctrl.timeout)
	case <-ss.ctrl.ctx.Done():
		ss.stopAccepting()
		return ErrInterrupted
	}
	slices.SortFunc(ss.pending, func(a, b pendingConn) int { return int(a.seq - b.seq) })
	opts := sp.sockopts("")
	for i, pc := range ss.pending {
		s := newStream(streamID(i), pc.conn, !sp.clientSends(i), sp.Length, sp.RepeatingPayload)
		ss.streams = append(ss.streams, s)
		if sp.Proto == UDP {
			s.asked = opts
			s.granted, _ = sockopt.Read(pc.conn.(*net.UDPConn)) // set when the socket was made
			continue
		}
		if err := opts.Apply(pc.conn.(*net.TCPConn), "tcp"); err != nil && !errors.Is(err, sockopt.ErrUnsupported) {
			ss.sendError(wire.CodeSetCongestion)
			return fmt.Errorf("stream %d: %w", s.id, err)
		}
		if err := prepareTCP(s, opts); err != nil {
			return err
		}
	}
	return nil
}

// stopAccepting closes the test to streams, takes the ones that came, and
// returns how many they were.
func (ss *session) stopAccepting() int {
	ss.srv.mu.Lock()
	defer ss.srv.mu.Unlock()
	ss.accepting, ss.udpAccepting = false, false
	arrived := len(ss.pending)
	for _, pc := range ss.pending {
		ss.streams = append(ss.streams, newStream(0, pc.conn, false, 1, false))
	}
	ss.pending = nil
	return arrived
}
