package engine

import (
	"fmt"
	"strings"
	"time"

	"github.com/goperf/goperf/engine/wire"
)

// Limits are a server's caps on each test, beyond iperf3's own ranges
// (128 streams, 86400 s, ...) which every server enforces.
type Limits struct {
	// MaxDuration refuses a test that asks to run longer (iperf3's
	// --server-max-duration), and ends one bounded by bytes or blocks
	// when it reaches it. 0 = no limit.
	MaxDuration time.Duration
	// Bitrate refuses a test whose requested rate over all its streams
	// exceeds it, and ends a test whose measured rate, both directions
	// together, averaged over BitrateWindow, exceeds it (iperf3's
	// --server-bitrate-limit). Bit/s, 0 = no limit.
	Bitrate uint64
	// BitrateWindow is the averaging time of the bitrate check;
	// 0 = DefaultBitrateWindow.
	BitrateWindow time.Duration
}

// DefaultBitrateWindow is the averaging time of the bitrate limit, as
// iperf3's.
const DefaultBitrateWindow = 5 * time.Second

// admit checks what a test asks for against the limits. It returns a
// *specError carrying the iperf3 code a stock client knows.
func (l Limits) admit(sp *Spec) error {
	if l.MaxDuration > 0 && sp.Omit+sp.Duration > l.MaxDuration {
		return specErr(wire.CodeMaxDuration, "the test asks for %v, the server's limit is %v (--server-max-duration)",
			sp.Omit+sp.Duration, l.MaxDuration)
	}
	if l.Bitrate > 0 && sp.Bitrate > 0 && float64(sp.Bitrate)*float64(sp.totalStreams()) > float64(l.Bitrate) {
		return specErr(wire.CodeTotalRate, "the test asks for %s per stream over %d streams, the server's limit is %s (--server-bitrate-limit)",
			rateText(float64(sp.Bitrate)), sp.totalStreams(), rateText(float64(l.Bitrate)))
	}
	return nil
}

// rateText is formatBits without its padding, for messages.
func rateText(bps float64) string { return strings.TrimSpace(formatBits(bps)) }

// guard ends a running test that breaks the limits: one bounded by bytes
// or blocks that outlives MaxDuration, and any whose rate over the window
// exceeds Bitrate. The sampler calls check about once a second.
type guard struct {
	Limits
	start time.Time
	marks []mark // total bytes at past checks, oldest first, within the window
}

// mark is the total byte count at one moment.
type mark struct {
	at    time.Time
	bytes uint64
}

// newGuard returns the guard of a test of sp that starts at start, or nil
// when nothing needs watching. A test with a duration was admitted against
// MaxDuration already, and the server's grace timer bounds it.
func newGuard(l Limits, sp *Spec, start time.Time) *guard {
	if sp.Duration > 0 {
		l.MaxDuration = 0
	}
	if l.MaxDuration <= 0 && l.Bitrate == 0 {
		return nil
	}
	if l.BitrateWindow <= 0 {
		l.BitrateWindow = DefaultBitrateWindow
	}
	return &guard{Limits: l, start: start, marks: []mark{{start, 0}}}
}

// check returns why the test must end at now, with total bytes moved in
// both directions, or 0 when it may go on.
func (g *guard) check(now time.Time, total uint64) (endReason, error) {
	if g == nil {
		return 0, nil
	}
	if g.MaxDuration > 0 && now.Sub(g.start) > g.MaxDuration {
		return endLimit, &limitError{code: wire.CodeMaxDuration,
			msg: fmt.Sprintf("the test ran past the server's limit of %v", g.MaxDuration)}
	}
	if g.Bitrate == 0 {
		return 0, nil
	}
	g.marks = append(g.marks, mark{now, total})
	oldest := g.marks[0]
	if now.Sub(oldest.at) < g.BitrateWindow {
		return 0, nil
	}
	// Drop marks older than one window, keeping the newest of them as the
	// window's start.
	i := 0
	for i+1 < len(g.marks) && now.Sub(g.marks[i+1].at) >= g.BitrateWindow {
		i++
	}
	g.marks = append(g.marks[:0], g.marks[i:]...)
	oldest = g.marks[0]
	rate := float64(total-oldest.bytes) * 8 / now.Sub(oldest.at).Seconds()
	if rate > float64(g.Bitrate) {
		return endLimit, &limitError{code: wire.CodeTotalRate,
			msg: fmt.Sprintf("the test moved %s over %v, the server's limit is %s", rateText(rate),
				now.Sub(oldest.at).Round(time.Millisecond), rateText(float64(g.Bitrate)))}
	}
	return 0, nil
}

// limitError is a running test's breach of a server limit, with the iperf3
// code the server reports it as.
type limitError struct {
	code wire.Code
	msg  string
}

func (e *limitError) Error() string { return e.msg }
