package engine

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/goperf/goperf/engine/internal/samples"
	"github.com/goperf/goperf/engine/wire"
)

// FuzzSpecFromParams validates arbitrary parameter documents as a server
// does: an accepted test keeps every limit, and its parameters, written
// as a client writes them, give the same test back.
func FuzzSpecFromParams(f *testing.F) {
	for _, s := range samples.Seeds(f, "FuzzSpecFromParams") {
		f.Add(s)
	}
	for _, name := range samples.Files(f, "params_*.json") {
		f.Add(samples.Read(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := wire.DecodeParams(data)
		if err != nil {
			return
		}
		sp, err := specFromParams(p)
		if err != nil {
			return
		}
		switch {
		case sp.Streams < 1 || sp.Streams > MaxStreams:
			t.Fatalf("accepted %d streams", sp.Streams)
		case sp.Length < 1 || (sp.Proto == UDP && sp.Length > MaxUDPLength):
			t.Fatalf("accepted length %d for %v", sp.Length, sp.Proto)
		case sp.Duration < 0 || sp.Duration > maxSeconds*time.Second || sp.Omit < 0:
			t.Fatalf("accepted duration %v, omit %v", sp.Duration, sp.Omit)
		case sp.Window < 0 || sp.MSS < 0:
			t.Fatalf("accepted window %d, MSS %d", sp.Window, sp.MSS)
		}
		again, err := specFromParams(sp.params())
		if err != nil {
			t.Fatalf("the client's parameters for an accepted test are refused: %v", err)
		}
		if !reflect.DeepEqual(sp, again) {
			t.Fatalf("round trip changed the test:\n%+v\n%+v", sp, again)
		}
	})
}

// fuzzScaled checks a unit parser: accepted text formats to text that
// parses to the same value; refused text gets an error naming the unit.
func fuzzScaled[T interface {
	~uint64
	String() string
}](t *testing.T, text string, parse func(*T, []byte) error, unit string) {
	var v T
	err := parse(&v, []byte(text))
	if err != nil {
		if !strings.Contains(err.Error(), unit) {
			t.Fatalf("%q: error %q does not say what was expected", text, err)
		}
		return
	}
	var back T
	if err := parse(&back, []byte(v.String())); err != nil || back != v {
		t.Fatalf("%q parsed as %d, formatted %q, parsed back as %d (%v)", text, uint64(v), v.String(), uint64(back), err)
	}
}

func FuzzByteSize(f *testing.F) {
	for _, s := range []string{"131072", "128K", "1M", "1.5K", "0", "-1", "1e30", "k", " 8k ", "18446744073709551615G"} {
		f.Add(s)
	}
	for _, s := range samples.Seeds(f, "FuzzByteSize") {
		f.Add(string(s))
	}
	f.Fuzz(func(t *testing.T, text string) {
		fuzzScaled(t, text, (*ByteSize).UnmarshalText, "size")
	})
}

func FuzzBitrate(f *testing.F) {
	for _, s := range []string{"100M", "2.5G", "0", "1", "NaN", "Inf", "1e400", "-5M", "10m", "1T"} {
		f.Add(s)
	}
	for _, s := range samples.Seeds(f, "FuzzBitrate") {
		f.Add(string(s))
	}
	f.Fuzz(func(t *testing.T, text string) {
		fuzzScaled(t, text, (*Bitrate).UnmarshalText, "rate")
	})
}

// FuzzSeconds parses durations: accepted ones lie between 0 and the
// longest test.
func FuzzSeconds(f *testing.F) {
	for _, s := range []string{"10", "2.5", "500ms", "1m30s", "-1", "NaN", "1e300", "86401", "9223372036854775807ns"} {
		f.Add(s)
	}
	for _, s := range samples.Seeds(f, "FuzzSeconds") {
		f.Add(string(s))
	}
	f.Fuzz(func(t *testing.T, text string) {
		var s Seconds
		if err := s.UnmarshalText([]byte(text)); err != nil {
			if !strings.Contains(err.Error(), "duration") {
				t.Fatalf("%q: error %q does not say what was expected", text, err)
			}
			return
		}
		if s < 0 || time.Duration(s) > maxSeconds*time.Second {
			t.Fatalf("%q accepted as %v", text, time.Duration(s))
		}
	})
}
