package engine

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/goperf/goperf/engine/internal/samples"
	"github.com/goperf/goperf/engine/wire"
)

// Fuzz targets for what a server builds from a client's bytes (the unit
// parsers' are in the units package). Hand-made seeds live in
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
		if !reflect.DeepEqual(*s2, want) {
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
