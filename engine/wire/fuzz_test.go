package wire

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/goperf/goperf/engine/internal/samples"
)

// The fuzz targets below decode bytes a peer controls. Each checks a
// property against an independent model, not only the absence of panics.
// Hand-made seeds live in testdata/fuzz/<target>/ (go test runs them);
// the captured iperf3 messages in the module's testdata/iperf3 are added
// as seeds here, so they are not copied.

// frame returns body behind its four-byte big-endian length prefix.
func frame(body []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...)
}

// addCaptured adds every captured file matching pattern as a seed, through
// conv when it is not nil.
func addCaptured(f *testing.F, pattern string, conv func([]byte) []byte) {
	f.Helper()
	for _, name := range samples.Files(f, pattern) {
		b := samples.Read(f, name)
		if conv != nil {
			b = conv(b)
		}
		f.Add(b)
	}
}

// FuzzReadJSON feeds arbitrary bytes to ReadJSON under a limit of at most
// MaxResultsLen. The outcome must match a model of the framing: a clean
// EOF only before the first byte, SERVER_ERROR and ACCESS_DENIED in place
// of a prefix, ErrEmpty, TooLargeError without reading the body, or
// exactly the framed body, never longer than the limit. Chopping the input
// into one-byte reads must not change the outcome.
func FuzzReadJSON(f *testing.F) {
	for _, pattern := range []string{"params_*.json", "results_*.json"} {
		for _, name := range samples.Files(f, pattern) {
			body := samples.Read(f, name)
			f.Add(frame(body), uint32(MaxParamsLen))
			f.Add(frame(body), uint32(MaxResultsLen))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, max uint32) {
		if max > MaxResultsLen {
			max = MaxParamsLen // the limits callers use; larger ones only cost memory
		}
		want, wantErr := modelReadJSON(data, max)

		r := bytes.NewReader(data)
		got, err := ReadJSON(r, max)
		checkReadJSON(t, "bytes.Reader", got, err, want, wantErr, max)
		consumed := len(data) - r.Len()
		var tl *TooLargeError
		if errors.As(err, &tl) && consumed != 4 {
			t.Errorf("read %d bytes of a frame over the limit, want only the 4-byte prefix", consumed)
		}
		if err == nil && consumed != 4+len(got) {
			t.Errorf("consumed %d bytes for a %d-byte body", consumed, len(got))
		}

		got2, err2 := ReadJSON(iotest.OneByteReader(bytes.NewReader(data)), max)
		checkReadJSON(t, "OneByteReader", got2, err2, want, wantErr, max)
	})
}

// modelReadJSON is what ReadJSON must return for data under max: the body,
// or an error that checkReadJSON compares by kind.
func modelReadJSON(data []byte, max uint32) ([]byte, error) {
	switch {
	case len(data) == 0:
		return nil, io.EOF
	case data[0] == 0xfe && len(data) < 9:
		return nil, io.ErrUnexpectedEOF
	case data[0] == 0xfe:
		return nil, &ServerError{
			Code:  Code(int32(binary.BigEndian.Uint32(data[1:5]))),
			Errno: int32(binary.BigEndian.Uint32(data[5:9])),
		}
	case data[0] == 0xff:
		return nil, ErrAccessDenied
	case len(data) < 4:
		return nil, io.ErrUnexpectedEOF
	}
	n := binary.BigEndian.Uint32(data)
	switch {
	case n == 0:
		return nil, ErrEmpty
	case n > max:
		return nil, &TooLargeError{Len: n, Max: max}
	case uint64(len(data)-4) < uint64(n):
		return nil, io.ErrUnexpectedEOF
	}
	return data[4 : 4+n], nil
}

func checkReadJSON(t *testing.T, how string, got []byte, err error, want []byte, wantErr error, max uint32) {
	t.Helper()
	if uint64(cap(got)) > uint64(max) {
		t.Fatalf("%s: allocated %d bytes, limit %d", how, cap(got), max)
	}
	if wantErr == nil {
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: got %q, %v; want the %d-byte body", how, got, err, len(want))
		}
		return
	}
	if got != nil {
		t.Errorf("%s: a body of %d bytes beside the error", how, len(got))
	}
	var se, wantSE *ServerError
	var tl, wantTL *TooLargeError
	switch {
	case errors.As(wantErr, &wantSE):
		if !errors.As(err, &se) || *se != *wantSE {
			t.Fatalf("%s: err %v, want %v", how, err, wantErr)
		}
	case errors.As(wantErr, &wantTL):
		if !errors.As(err, &tl) || *tl != *wantTL {
			t.Fatalf("%s: err %v, want %v", how, err, wantErr)
		}
	case wantErr == io.EOF:
		if err != io.EOF {
			t.Fatalf("%s: err %v, want io.EOF itself", how, err)
		}
	default:
		if !errors.Is(err, wantErr) {
			t.Fatalf("%s: err %v, want %v", how, err, wantErr)
		}
	}
}

// TestReadJSONHugePrefixAllocatesLittle checks the point of the limit: a
// length prefix of 2 GiB or 4 GiB costs no more than a few bytes of memory.
func TestReadJSONHugePrefixAllocatesLittle(t *testing.T) {
	for _, prefix := range []uint32{MaxResultsLen + 1, 1 << 31, 1<<32 - 1} {
		in := binary.BigEndian.AppendUint32(nil, prefix)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for range 10 {
			if _, err := ReadJSON(bytes.NewReader(in), MaxResultsLen); err == nil {
				t.Fatal("accepted")
			}
		}
		runtime.ReadMemStats(&after)
		if d := after.TotalAlloc - before.TotalAlloc; d > 64<<10 {
			t.Errorf("prefix %d: 10 reads allocated %d bytes", prefix, d)
		}
	}
}

// FuzzDecodeParams checks that DecodeParams either fails with a
// "parameters:" error or returns parameters that survive a round trip:
// encoding them and decoding the result gives the same parameters, and the
// encoding never writes false (stock servers test flags for presence).
func FuzzDecodeParams(f *testing.F) {
	addCaptured(f, "params_*.json", nil)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := DecodeParams(data)
		if err != nil {
			if p != nil || !strings.HasPrefix(err.Error(), "parameters: ") {
				t.Fatalf("got %+v, %q", p, err)
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		enc, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("encoding accepted parameters: %v", err)
		}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(enc, &keys); err != nil {
			t.Fatalf("encoding is not an object: %s", enc)
		}
		for k, v := range keys {
			if string(v) == "false" || string(v) == "0" && isFlagKey(k) {
				t.Errorf("encoding writes %s as %s: %s", k, v, enc)
			}
		}
		p2, err := DecodeParams(enc)
		if err != nil {
			t.Fatalf("decoding the encoding %s: %v", enc, err)
		}
		if !reflect.DeepEqual(p, p2) {
			t.Fatalf("round trip changed the parameters:\n in %+v\nout %+v\nvia %s", p, p2, enc)
		}
	})
}

// isFlagKey reports whether key belongs to a Flag or IntFlag field.
func isFlagKey(key string) bool {
	rt := reflect.TypeFor[Params]()
	for i := range rt.NumField() {
		fl := rt.Field(i)
		name, _, _ := strings.Cut(fl.Tag.Get("json"), ",")
		if name == key {
			return fl.Type == reflect.TypeFor[Flag]() || fl.Type == reflect.TypeFor[IntFlag]()
		}
	}
	return false
}

// FuzzDecodeResults checks that an accepted results document is a JSON
// object whose streams are exactly the array the key checks looked at
// (iperf3 reads the first "streams" key, case-insensitively, so a second
// one must not smuggle in streams without the required keys), and that
// accepted results survive an encode/decode round trip.
func FuzzDecodeResults(f *testing.F) {
	addCaptured(f, "results_*.json", nil)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := DecodeResults(data)
		if err != nil {
			if r != nil || !strings.HasPrefix(err.Error(), "results") {
				t.Fatalf("got %+v, %q", r, err)
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(data, &top); err != nil || top == nil {
			t.Fatalf("accepted a document that is not an object: %q", data)
		}
		var streams []map[string]json.RawMessage
		if err := json.Unmarshal(lookup(top, "streams"), &streams); err != nil {
			t.Fatalf("accepted streams that are not an array: %v", err)
		}
		if len(streams) != len(r.Streams) {
			t.Fatalf("checked %d streams, decoded %d: %q", len(streams), len(r.Streams), data)
		}
		for i, s := range streams {
			var id Int
			if err := json.Unmarshal(lookup(s, "id"), &id); err != nil || id != r.Streams[i].ID {
				t.Fatalf("stream %d: checked id %s, decoded %d", i, lookup(s, "id"), r.Streams[i].ID)
			}
		}

		enc, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("encoding accepted results: %v", err)
		}
		r2, err := DecodeResults(enc)
		if err != nil {
			t.Fatalf("decoding the encoding %s: %v", enc, err)
		}
		if r.ServerOutputJSON != nil {
			var buf bytes.Buffer
			if err := json.Compact(&buf, r.ServerOutputJSON); err != nil {
				t.Fatalf("server_output_json: %v", err)
			}
			r.ServerOutputJSON = buf.Bytes() // encoding compacts it
		}
		if !reflect.DeepEqual(r, r2) {
			t.Fatalf("round trip changed the results:\n in %+v\nout %+v\nvia %s", r, r2, enc)
		}
	})
}

// FuzzUDPHeader checks the datagram header both ways, for 32-bit and
// 64-bit counters: parsing then writing reproduces the bytes; writing then
// parsing reproduces the header (the counter cut to 32 bits when narrow);
// Put writes exactly HeaderLen bytes, big-endian; and a short datagram is
// refused.
func FuzzUDPHeader(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, sec, usec uint32, seq uint64, wide bool) {
		n := HeaderLen(wide)
		h, ok := ParseUDPHeader(data, wide)
		if ok != (len(data) >= n) {
			t.Fatalf("%d bytes, wide=%v: ok=%v", len(data), wide, ok)
		}
		if ok {
			b := bytes.Repeat([]byte{0xa5}, n+4)
			h.Put(b, wide)
			if !bytes.Equal(b[:n], data[:n]) || !bytes.Equal(b[n:], []byte{0xa5, 0xa5, 0xa5, 0xa5}) {
				t.Fatalf("parse then put: % x, want % x", b, data[:n])
			}
			if !wide && h.Seq>>32 != 0 {
				t.Fatalf("32-bit header parsed to sequence %d", h.Seq)
			}
			if wide {
				// The narrow reading of a wide header sees the counter's
				// high word, since both are big-endian.
				if nh, _ := ParseUDPHeader(data, false); nh.Sec != h.Sec || nh.Usec != h.Usec || nh.Seq != h.Seq>>32 {
					t.Fatalf("narrow %+v, wide %+v", nh, h)
				}
			}
		}

		in := UDPHeader{Sec: sec, Usec: usec, Seq: seq}
		b := bytes.Repeat([]byte{0x5a}, n+4)
		in.Put(b, wide)
		if !bytes.Equal(b[n:], []byte{0x5a, 0x5a, 0x5a, 0x5a}) {
			t.Fatalf("Put wrote past %d bytes: % x", n, b)
		}
		if b[0] != byte(sec>>24) || b[3] != byte(sec) || b[4] != byte(usec>>24) || b[7] != byte(usec) || b[n-1] != byte(seq) {
			t.Fatalf("not big-endian: % x for %+v", b[:n], in)
		}
		want := in
		if !wide {
			want.Seq &= 0xffffffff
		}
		got, ok := ParseUDPHeader(b[:n], wide)
		if !ok || got != want {
			t.Fatalf("put then parse: %+v, %v; want %+v", got, ok, want)
		}
	})
}

// FuzzReadCookie checks that ReadCookie takes exactly 37 bytes, or fails
// with EOF on nothing and ErrUnexpectedEOF on fewer, and that String stops
// at the first NUL.
func FuzzReadCookie(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		c, err := ReadCookie(r)
		switch {
		case len(data) == 0:
			if err != io.EOF {
				t.Fatalf("no bytes: %v", err)
			}
		case len(data) < CookieLen:
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("%d bytes: %v", len(data), err)
			}
		default:
			if err != nil || !bytes.Equal(c[:], data[:CookieLen]) || r.Len() != len(data)-CookieLen {
				t.Fatalf("got %q, %v with %d bytes left", c[:], err, r.Len())
			}
			s := c.String()
			if strings.IndexByte(s, 0) >= 0 || !bytes.HasPrefix(c[:], []byte(s)) ||
				(len(s) < CookieLen && c[len(s)] != 0) {
				t.Fatalf("String %q of %q", s, c[:])
			}
		}
	})
}

// FuzzReadServerError checks that the eight bytes after SERVER_ERROR decode
// to a *ServerError whose Bytes give them back; that a code whose errno
// never comes (iperf3 3.12 closes after a refused authentication) is the
// code with errno 0; and that fewer bytes are an ErrUnexpectedEOF.
func FuzzReadServerError(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		err := ReadServerError(bytes.NewReader(data))
		var se *ServerError
		switch {
		case len(data) < 4:
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("%d bytes: %v", len(data), err)
			}
			return
		case len(data) < 8:
			if !errors.As(err, &se) || se.Errno != 0 || !bytes.Equal(se.Bytes()[1:5], data[:4]) {
				t.Fatalf("%d bytes: %v", len(data), err)
			}
			return
		}
		if !errors.As(err, &se) {
			t.Fatalf("got %v", err)
		}
		if b := se.Bytes(); b[0] != 0xfe || !bytes.Equal(b[1:], data[:8]) {
			t.Fatalf("Bytes % x, read % x", b, data[:8])
		}
		if msg := se.Error(); !strings.HasPrefix(msg, "server error: "+se.Code.String()) {
			t.Fatalf("message %q for %+v", msg, *se)
		}
	})
}

// FuzzNumber checks Int, Flag and IntFlag on one JSON value: a decimal
// integer decodes to itself, an unsigned one above int64 to its two's
// complement, anything accepted was valid JSON, and the flags are true
// exactly when the value is true or a non-zero number.
func FuzzNumber(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		var n Int
		nerr := json.Unmarshal([]byte(s), &n)
		if nerr == nil && !json.Valid([]byte(s)) {
			t.Fatalf("Int accepted invalid JSON %q", s)
		}
		text := strings.Trim(s, " \t\r\n") // JSON whitespace, not Unicode's
		valid := json.Valid([]byte(s))
		if v, err := strconv.ParseInt(text, 10, 64); valid && err == nil && (nerr != nil || int64(n) != v) {
			t.Fatalf("Int(%q) = %d, %v; want %d", s, n, nerr, v)
		} else if u, err := strconv.ParseUint(text, 10, 64); valid && err == nil && (nerr != nil || uint64(n) != u) {
			t.Fatalf("Int(%q) = %d, %v; want %d as two's complement", s, n, nerr, u)
		}

		var fl Flag
		var ifl IntFlag
		ferr := json.Unmarshal([]byte(s), &fl)
		ierr := json.Unmarshal([]byte(s), &ifl)
		if (ferr == nil) != (ierr == nil) || bool(fl) != bool(ifl) {
			t.Fatalf("Flag(%q) = %v, %v but IntFlag = %v, %v", s, fl, ferr, ifl, ierr)
		}
		switch text {
		case "true":
			if ferr != nil || !fl {
				t.Fatalf("Flag(%q) = %v, %v", s, fl, ferr)
			}
			return
		case "false", "null":
			if ferr != nil || fl {
				t.Fatalf("Flag(%q) = %v, %v", s, fl, ferr)
			}
			return
		}
		if (ferr == nil) != (nerr == nil) || ferr == nil && bool(fl) != (n != 0) {
			t.Fatalf("Flag(%q) = %v, %v but Int = %d, %v", s, fl, ferr, n, nerr)
		}
	})
}
