package engine

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goperf/goperf/engine/internal/samples"
	"github.com/goperf/goperf/engine/wire"
)

// Fuzz targets for what a server builds from a client's bytes and for the
// unit parsers behind the command line. Hand-made seeds live in
// testdata/fuzz/<target>/; captured iperf3 parameters are added from the
// module's testdata/iperf3.

// FuzzParamsValidation runs a parameter document through the server's path,
// DecodeParams then specFromParams. A rejection carries an iperf3 error
// code and a message; an accepted Spec keeps every limit iperf3 enforces,
// says what the document said, and survives the trip back to the wire: a
// client sending it would make the server build the same Spec.
func FuzzParamsValidation(f *testing.F) {
	for _, name := range samples.Files(f, "params_*.json") {
		f.Add(samples.Read(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := wire.DecodeParams(data)
		if err != nil {
			return // FuzzDecodeParams covers the decoder
		}
		s, err := specFromParams(p)
		if err != nil {
			var se *specError
			if !errors.As(err, &se) || se.code == 0 || se.msg == "" || s != nil {
				t.Fatalf("rejection %#v (%v) with spec %+v", err, err, s)
			}
			return
		}
		checkSpec(t, s, p)
		checkAdmit(t, s)

		enc, err := json.Marshal(s.params())
		if err != nil {
			t.Fatal(err)
		}
		p2, err := wire.DecodeParams(enc)
		if err != nil {
			t.Fatalf("decoding our own parameters %s: %v", enc, err)
		}
		s2, err := specFromParams(p2)
		if err != nil {
			t.Fatalf("our own parameters %s rejected: %v", enc, err)
		}
		want := *s
		if want.Bytes > 0 || want.Blocks > 0 {
			want.Duration = 0 // iperf3 sends time 0 with -n and -k
		}
		if *s2 != want {
			t.Fatalf("round trip:\n got %+v\nwant %+v\nwire %s", *s2, want, enc)
		}
	})
}

// checkSpec checks s, accepted from p, against iperf3's limits and p.
func checkSpec(t *testing.T, s *Spec, p *wire.Params) {
	t.Helper()
	type check struct {
		ok   bool
		what string
	}
	for _, c := range []check{
		{s.Proto == TCP && bool(p.TCP) && !bool(p.UDP) || s.Proto == UDP && bool(p.UDP) && !bool(p.TCP), "one protocol, the one asked for"},
		{!bool(p.SCTP), "no SCTP"},
		{s.Direction == Forward || s.Direction == Reverse || s.Direction == Bidir, "a known direction"},
		{(s.Direction == Reverse) == bool(p.Reverse) && (s.Direction == Bidir) == bool(p.Bidirectional), "the direction asked for"},
		{s.Streams >= 1 && s.Streams <= MaxStreams && int64(s.Streams) == int64(p.Parallel), "streams 1 to 128, as asked"},
		{s.Proto == TCP && s.Length >= 1 && s.Length <= MaxTCPLength ||
			s.Proto == UDP && s.Length >= MinUDPLength && s.Length <= MaxUDPLength, "a length within the protocol's limits"},
		{int64(s.Length) == int64(p.Len), "the length asked for"},
		{s.Duration >= 0 && s.Duration <= maxSeconds*time.Second && s.Duration == time.Duration(p.Time)*time.Second, "duration 0 to 86400 s, as asked"},
		{s.Omit >= 0 && s.Omit <= MaxOmit && s.Omit%time.Second == 0 && s.Omit == time.Duration(p.Omit)*time.Second, "omit whole seconds 0 to 600, as asked"},
		{s.Window >= 0 && s.Window <= MaxWindow && int64(s.Window) == int64(p.Window), "window 0 to 512 MiB, as asked"},
		{s.MSS >= 0 && s.MSS <= MaxMSS && int64(s.MSS) == int64(p.MSS), "MSS 0 to 32767, as asked"},
		{s.TOS >= 0 && s.TOS <= 255 && int64(s.TOS) == int64(p.TOS), "TOS 0 to 255, as asked"},
		{p.Num >= 0 && s.Bytes == uint64(p.Num), "a byte count as asked, not negative"},
		{p.BlockCount >= 0 && s.Blocks == uint64(p.BlockCount), "a block count as asked, not negative"},
		{p.Bandwidth >= 0 && s.Bitrate == uint64(p.Bandwidth), "a bitrate as asked, not negative"},
		{p.FQRate >= 0 && s.FQRate == uint64(p.FQRate), "a pacing rate as asked, not negative"},
		{s.Title == p.Title && s.ExtraData == p.ExtraData && s.Congestion == p.Congestion, "the strings as sent"},
	} {
		if !c.ok {
			t.Fatalf("accepted spec breaks %q:\nspec %+v\nparams %+v", c.what, *s, *p)
		}
	}
}

// unitText is what the unit parsers must honour, whatever else they accept.
type unitText struct {
	what string // the noun the error names: "size", "rate"
	unit uint64 // 1024 or 1000
}

// check verifies one parse of text into v: errors name the noun and say
// what was wanted; a plain integer or an integer with a suffix reads as
// itself times the suffix; and a value reads back from its String.
func (u unitText) check(t *testing.T, text string, v uint64, err error, str string, reparse func(string) (uint64, error)) {
	t.Helper()
	if err != nil {
		if msg := err.Error(); !strings.HasPrefix(msg, "invalid "+u.what+" ") || !strings.Contains(msg, "(want e.g. ") {
			t.Fatalf("%q: error %q does not say what was expected", text, msg)
		}
		if v != 0 {
			t.Fatalf("%q: error %v left %d behind", text, err, v)
		}
	} else {
		back, err := reparse(str)
		if err != nil || back != v {
			t.Fatalf("%q = %d prints as %q, which reads back as %d, %v", text, v, str, back, err)
		}
	}
	// An integer, with an optional suffix, is exact.
	trimmed := strings.TrimSpace(text)
	digits, mult := trimmed, uint64(1)
	if trimmed != "" {
		if i := strings.IndexByte("KMGTkmgt", trimmed[len(trimmed)-1]); i >= 0 {
			digits = trimmed[:len(trimmed)-1]
			for range i%4 + 1 {
				mult *= u.unit
			}
		}
	}
	n, perr := strconv.ParseUint(digits, 10, 64)
	if perr != nil || digits == "" || digits[0] == '+' || n > 1<<53/mult {
		return // not a plain integer, or beyond float64's exact integers
	}
	if err != nil || v != n*mult {
		t.Fatalf("%q = %d, %v; want %d", text, v, err, n*mult)
	}
}

// checkFormat verifies that v, written by String, reads back as v when
// float64 holds v exactly (the parsers compute in float64).
func (u unitText) checkFormat(t *testing.T, v uint64, str string, reparse func(string) (uint64, error)) {
	t.Helper()
	if f := float64(v); f >= math.MaxUint64 || uint64(f) != v {
		return
	}
	if back, err := reparse(str); err != nil || back != v {
		t.Fatalf("%d prints as %q, which reads back as %d, %v", v, str, back, err)
	}
}

// FuzzByteSize checks ByteSize's text form (binary multiples).
func FuzzByteSize(f *testing.F) {
	u := unitText{what: "size", unit: 1024}
	parse := func(s string) (uint64, error) {
		var v ByteSize
		err := v.UnmarshalText([]byte(s))
		return uint64(v), err
	}
	f.Fuzz(func(t *testing.T, text string, n uint64) {
		v, err := parse(text)
		u.check(t, text, v, err, ByteSize(v).String(), parse)
		u.checkFormat(t, n, ByteSize(n).String(), parse)
	})
}

// FuzzBitrate checks Bitrate's text form (decimal multiples).
func FuzzBitrate(f *testing.F) {
	u := unitText{what: "rate", unit: 1000}
	parse := func(s string) (uint64, error) {
		var v Bitrate
		err := v.UnmarshalText([]byte(s))
		return uint64(v), err
	}
	f.Fuzz(func(t *testing.T, text string, n uint64) {
		v, err := parse(text)
		u.check(t, text, v, err, Bitrate(v).String(), parse)
		u.checkFormat(t, n, Bitrate(n).String(), parse)
	})
}

// FuzzSeconds checks Seconds: accepted values lie in 0 to 86400 s and read
// back from their String; plain whole seconds are exact; errors say what
// was expected.
func FuzzSeconds(f *testing.F) {
	parse := func(s string) (time.Duration, error) {
		var v Seconds
		err := v.UnmarshalText([]byte(s))
		return time.Duration(v), err
	}
	f.Fuzz(func(t *testing.T, text string) {
		d, err := parse(text)
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "invalid duration ") || !strings.Contains(msg, "want ") {
				t.Fatalf("%q: error %q does not say what was expected", text, msg)
			}
			if d != 0 {
				t.Fatalf("%q: error %v left %v behind", text, err, d)
			}
			return
		}
		if d < 0 || d > maxSeconds*time.Second {
			t.Fatalf("%q accepted as %v, outside 0 to %d s", text, d, maxSeconds)
		}
		str := Seconds(d).String()
		if back, err := parse(str); err != nil || back != d {
			t.Fatalf("%q = %v prints as %q, which reads back as %v, %v", text, d, str, back, err)
		}
		if n, err := strconv.ParseUint(strings.TrimSpace(text), 10, 64); err == nil && d != time.Duration(n)*time.Second {
			t.Fatalf("%q = %v, want %d s", text, d, n)
		}
	})
}

// checkAdmit holds an accepted spec against a server's caps: an admitted
// one keeps within them, a refused one says which with iperf3's code.
func checkAdmit(t *testing.T, s *Spec) {
	l := Limits{MaxDuration: 10 * time.Second, Bitrate: 1e9}
	within := s.Omit+s.Duration <= l.MaxDuration &&
		(s.Bitrate == 0 || float64(s.Bitrate)*float64(s.totalStreams()) <= float64(l.Bitrate))
	err := l.admit(s)
	var se *specError
	switch {
	case err == nil && !within:
		t.Fatalf("admitted over the caps: %+v", s)
	case err != nil && within:
		t.Fatalf("refused within the caps: %v, %+v", err, s)
	case err != nil && (!errors.As(err, &se) || (se.code != wire.CodeMaxDuration && se.code != wire.CodeTotalRate)):
		t.Fatalf("refusal %v without its code", err)
	}
}
