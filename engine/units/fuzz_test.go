package units

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Fuzz targets for the quantities read from command lines and parameter
// documents: whatever they accept prints and reads back the same, and what
// they refuse is refused with a line that says what was expected.

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
		if d < 0 || d > MaxSeconds*time.Second {
			t.Fatalf("%q accepted as %v, outside 0 to %d s", text, d, MaxSeconds)
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
