package main

import (
	"errors"
	"github.com/alecthomas/kong"
	"strings"

	"github.com/goperf/goperf/engine/output"
)

// outputFlags are iperf3's flags for how output is written.
type outputFlags struct {
	Timestamps timestampsFlag `name:"timestamps" help:"Put the time before every line of text output, as iperf3's --timestamps[=FORMAT] (strftime; default '%c ')."`
	ForceFlush bool           `name:"forceflush" help:"Flush output at every interval, as iperf3; goperf never buffers its output, so every line is written as it is made."`
	Debug      bool           `short:"d" name:"debug" help:"Log what the client and server do, step by step, to standard error."`
	StreamFull bool           `name:"json-stream-full-output" help:"With --json-stream, print the whole -J document too, after the events."`
	Format     rateFormat     `short:"f" name:"format" placeholder:"[kmgtKMGT]" help:"Rates in text output in one unit, as iperf3's -f: k, m, g, t for Kbits..Tbits/sec, K, M, G, T for KBytes..TBytes/sec (default: the best fit)."`
}

// rateFormat is iperf3's -f: its first letter chooses the unit.
type rateFormat struct {
	unit byte
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (f *rateFormat) UnmarshalText(text []byte) error {
	if len(text) == 0 || !strings.ContainsRune("kmgtKMGT", rune(text[0])) {
		return errors.New("bad format specifier (valid formats are in the set [kmgtKMGT])")
	}
	f.unit = text[0]
	return nil
}

// timestampsFlag is --timestamps with its optional =FORMAT.
type timestampsFlag struct {
	format string // "" = off
}

// IsBool lets the flag stand alone, as --timestamps.
func (f *timestampsFlag) IsBool() bool { return true }

// Decode reads the optional =FORMAT.
func (f *timestampsFlag) Decode(ctx *kong.DecodeContext) error {
	f.format = output.DefaultTimestamps
	if text, given := optionalValue(ctx); given {
		f.format = text
	}
	return nil
}
