package output

import (
	"errors"
	"io"
)

// Format selects how reports are written.
type Format int

// The formats.
const (
	Text       Format = iota // iperf3's human tables
	JSON                     // one iperf3 -J document at the end
	JSONStream               // one JSON object per line as events happen (--json-stream)
)

// Output is where a run reports: W takes the report in Format, Log takes
// diagnostics.
type Output struct {
	W       io.Writer
	Format  Format
	Verbose bool // -V: add socket options asked and granted, CPU use
	Log     Logger
	// StreamFull: with JSONStream, the whole -J document too, after the
	// events (iperf3's --json-stream-full-output).
	StreamFull bool
	// Iperf3 writes text as iperf3 3.21 does, line for line: its banners
	// and wording, and none of goperf's own lines (the iperf3
	// personality).
	Iperf3 bool
	// RateUnit is iperf3's -f for text rates: k, m, g or t for K/M/G/Tbits
	// per second, K, M, G or T for K/M/G/TBytes per second; 0 adapts.
	RateUnit byte
}

// ErrInterrupted reports a run ended early by its context (a signal).
var ErrInterrupted = errors.New("interrupted")
