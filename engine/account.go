package engine

import (
	"errors"
	"io"
	"maps"
	"net/netip"
	"time"

	"github.com/goperf/goperf/engine/transport"
	"github.com/goperf/goperf/engine/wire"
)

// Reason says in one word, fit for a metric label, why a server refused a
// test, why a test failed, or why a connection was dropped. The set is
// closed: a label set that a client cannot grow.
type Reason string

// Why a test was refused: it never got past its parameters.
const (
	ReasonBusy       Reason = "busy"           // --max-clients tests running, or a one-off server's test is over
	ReasonDuration   Reason = "duration_cap"   // --server-max-duration
	ReasonRate       Reason = "rate_cap"       // --server-bitrate-limit
	ReasonAuth       Reason = "auth"           // the credentials were refused
	ReasonParams     Reason = "bad_parameters" // a document or value the server cannot run
	ReasonMemory     Reason = "memory"         // --memory-budget is spent
	ReasonTimeout    Reason = "timeout"        // a control message or the data streams did not come in time
	ReasonClientGone Reason = "client_gone"    // the client closed or reset the connection
	ReasonShutdown   Reason = "shutdown"       // the server is stopping
)

// Why an admitted test failed, beyond the reasons above.
const (
	ReasonIdle       Reason = "idle"       // no data moved for --idle-timeout
	ReasonTerminated Reason = "terminated" // the client ended the test (CLIENT_TERMINATE)
	ReasonProtocol   Reason = "protocol"   // a message out of iperf3's order
	ReasonStream     Reason = "stream"     // a data stream failed
	ReasonOther      Reason = "other"      // anything else, in the server's log
)

// Why a connection was dropped before it named a test.
const (
	ReasonNoCookie    Reason = "no_cookie"    // it sent no cookie within --control-timeout
	ReasonUnnamedCap  Reason = "unnamed_cap"  // too many connections, from its host or all, have not sent one
	ReasonStrayStream Reason = "stray_stream" // a data stream for a test that takes none
)

// ServerStats is a server's account since it started, read by Stats.
// Counters only grow; the maps are copies the caller owns.
type ServerStats struct {
	Started   uint64            // tests admitted past their parameters
	Completed uint64            // tests that ran and exchanged results
	Failed    map[Reason]uint64 // admitted tests that did not complete
	Refused   map[Reason]uint64 // tests refused before they ran
	Dropped   map[Reason]uint64 // connections dropped before naming a test

	ActiveTests   int // tests being served now, from cookie to IPERF_DONE
	ActiveStreams int // their data streams
	// Bytes moved by the data streams, by protocol and by whether the
	// server received or sent them, the running tests' included.
	Received, Sent map[Proto]uint64

	MemoryReserved, MemoryBudget int64 // buffer bytes held by running tests, and the cap
}

// TestRecord is one test a server admitted, as it ended.
type TestRecord struct {
	Number     int // the server's count, from 1
	Client     netip.Addr
	Proto      Proto
	Streams    int // per direction
	Direction  Direction
	Start, End time.Time
	// Completed: the test ran and the results were exchanged; otherwise
	// Reason says why not.
	Completed bool
	Reason    Reason
	Summary   *Summary // with Completed; the server's view (Totals.Local: the server sent)
}

// account is a server's counters; the server's mutex guards it.
type account struct {
	started, completed       uint64
	failed, refused, dropped map[Reason]uint64
	received, sent           map[Proto]uint64 // by finished tests
}

func newAccount() account {
	return account{failed: map[Reason]uint64{}, refused: map[Reason]uint64{}, dropped: map[Reason]uint64{},
		received: map[Proto]uint64{}, sent: map[Proto]uint64{}}
}

// Stats returns the server's account now. It takes the server's lock
// briefly and reads the running streams' counters, which their loops
// update with atomics: it adds nothing to the data path.
func (s *Server) Stats() ServerStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := &s.account
	st := ServerStats{Started: a.started, Completed: a.completed,
		Failed: maps.Clone(a.failed), Refused: maps.Clone(a.refused), Dropped: maps.Clone(a.dropped),
		Received: maps.Clone(a.received), Sent: maps.Clone(a.sent),
		ActiveTests: s.active, MemoryReserved: s.reserved, MemoryBudget: s.budget}
	for _, ss := range s.sessions {
		r := ss.running.Load()
		if r == nil {
			continue
		}
		st.ActiveStreams += len(r.streams)
		addStreamBytes(r, st.Received, st.Sent)
	}
	return st
}

// addStreamBytes adds r's stream counters to received and sent.
func addStreamBytes(r *run, received, sent map[Proto]uint64) {
	for _, st := range r.streams {
		if st.sender {
			sent[r.spec.Proto] += st.bytes.Load()
		} else {
			received[r.spec.Proto] += st.bytes.Load()
		}
	}
}

// drop counts a connection dropped before it named a test. The caller
// holds s.mu.
func (s *Server) drop(why Reason) { s.account.dropped[why]++ }

// started counts a test admitted past its parameters.
func (s *Server) started() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.account.started++
}

// refuse counts a test refused before it ran. The caller holds s.mu.
func (s *Server) refuse(why Reason) { s.account.refused[why]++ }

// settle books a finished session: its streams' bytes move from the
// running count to the totals in the same critical section that forgets
// it, so that Stats never counts them twice or not at all. It returns the
// test's record, nil for a test refused before it ran. The caller holds
// s.mu.
func (s *Server) settle(ss *session, err error) *TestRecord {
	a := &s.account
	if r := ss.running.Load(); r != nil {
		addStreamBytes(r, a.received, a.sent)
	}
	if ss.spec == nil {
		a.refused[refusalOf(ss, err)]++
		return nil
	}
	rec := ss.record()
	if err == nil {
		a.completed++
		rec.Completed = true
	} else {
		rec.Reason = failureOf(ss, err)
		a.failed[rec.Reason]++
	}
	return rec
}

// record describes ss for a TestRecord, as far as it got.
func (ss *session) record() *TestRecord {
	sp := ss.spec
	return &TestRecord{Number: ss.no, Client: ss.peerIP, Proto: sp.Proto, Streams: sp.Streams,
		Direction: sp.Direction, Start: ss.begun, End: time.Now(), Summary: ss.summary}
}

// refusalOf names why a test was refused while its parameters were read.
func refusalOf(ss *session, err error) Reason {
	var se *specError
	switch {
	case ss.authFailed:
		return ReasonAuth
	case errors.As(err, &se):
		switch {
		case se.code == wire.CodeMaxDuration:
			return ReasonDuration
		case se.code == wire.CodeTotalRate:
			return ReasonRate
		case se.code == wire.CodeNewTest:
			return ReasonMemory
		}
		return ReasonParams
	}
	return commonReason(ss, err, ReasonParams)
}

// failureOf names why an admitted test did not complete.
func failureOf(ss *session, err error) Reason {
	var le *limitError
	switch {
	case errors.Is(err, ErrClientTerminated):
		return ReasonTerminated
	case ss.run != nil && ss.run.reason == endIdle:
		return ReasonIdle
	case errors.As(err, &le) && le.code == wire.CodeTotalRate:
		return ReasonRate
	case errors.As(err, &le):
		return ReasonDuration
	case ss.run != nil && ss.run.reason == endFailed:
		return ReasonStream
	}
	var pe *ProtocolError
	if errors.As(err, &pe) {
		return ReasonProtocol
	}
	return commonReason(ss, err, ReasonOther)
}

// commonReason names the endings a refusal and a failure share, else
// fallback.
func commonReason(ss *session, err error, fallback Reason) Reason {
	switch {
	case ss.ctrl.ctx.Err() != nil || errors.Is(err, ErrInterrupted):
		return ReasonShutdown
	case isTimeout(err):
		return ReasonTimeout
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, ErrControlClosed) || transport.IsGone(err):
		return ReasonClientGone
	}
	return fallback
}

// RefusalReasons lists the reasons a test is refused for, FailureReasons
// those an admitted test fails for, and DropReasons those a connection is
// dropped for: every label value the account can hold, so that a metric
// can show each one from the start.
func RefusalReasons() []Reason {
	return []Reason{ReasonBusy, ReasonDuration, ReasonRate, ReasonAuth, ReasonParams, ReasonMemory,
		ReasonTimeout, ReasonClientGone, ReasonShutdown}
}

// FailureReasons: see RefusalReasons.
func FailureReasons() []Reason {
	return []Reason{ReasonTimeout, ReasonClientGone, ReasonShutdown, ReasonIdle, ReasonTerminated,
		ReasonDuration, ReasonRate, ReasonProtocol, ReasonStream, ReasonOther}
}

// DropReasons: see RefusalReasons.
func DropReasons() []Reason { return []Reason{ReasonNoCookie, ReasonUnnamedCap, ReasonStrayStream} }
