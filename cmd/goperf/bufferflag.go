package main

import (
	"fmt"
	"strings"

	"github.com/goperf/goperf/engine/units"
)

// bufferFlag is -b: the buffer size per write, the original tool's
// meaning, which goperf keeps. iperf3's -b is a rate, and its users and
// drivers write "-b 1M", "-b 0" or "-b 10M/100" meaning bits per second.
// A -b that reads as such a rate is still a buffer size, but goperf says
// so: a refusal gets the spelling of the rate, and an accepted size with
// an M, G or T suffix gets one line on stderr (rateNote).
type bufferFlag struct {
	units.BufferSize
	text string
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (b *bufferFlag) UnmarshalText(text []byte) error {
	b.text = strings.TrimSpace(string(text))
	if err := b.BufferSize.UnmarshalText(text); err != nil {
		if rateLike(b.text) || b.text == "0" {
			return fmt.Errorf("%w; %s", err, rateHint(b.text))
		}
		return err
	}
	return nil
}

// rateLike reports whether text is spelled as iperf3 spells a rate
// rather than a buffer: an M, G or T multiple, or a /burst.
func rateLike(text string) bool {
	rate, _, burst := strings.Cut(text, "/")
	return burst || (rate != "" && strings.ContainsRune("mMgGtT", rune(rate[len(rate)-1])))
}

// rateHint says how to write iperf3's -b TEXT in goperf.
func rateHint(text string) string {
	return fmt.Sprintf("in goperf -b is the buffer size per write (iperf3's -l); for iperf3's rate -b %s write --bitrate %s", text, text)
}

// rateNote is the line a client prints when its -b reads as a rate but
// is taken, as goperf means it, as a buffer size; "" otherwise.
func (b *bufferFlag) rateNote() string {
	if !rateLike(b.text) {
		return ""
	}
	return fmt.Sprintf("note: -b %s is %d bytes per write; %s", b.text, b.ByteSize, rateHint(b.text))
}
