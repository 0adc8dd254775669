package wire

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/goperf/goperf/engine/internal/samples"
)

// addSeeds adds the checked-in seeds of f's target and, for JSON targets,
// the captured iperf3 messages matching pattern.
func addSeeds(f *testing.F, target, pattern string) {
	for _, s := range samples.Seeds(f, target) {
		f.Add(s)
	}
	if pattern != "" {
		for _, name := range samples.Files(f, pattern) {
			f.Add(samples.Read(f, name))
		}
	}
}

// frame returns body behind its length prefix.
func frame(body []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	return append(b, body...)
}

// FuzzReadJSON feeds arbitrary bytes to the control channel's framing: it
// returns a body of exactly the prefix's length, never more than max, or an
// error; a 2 GB prefix is refused before anything is allocated.
func FuzzReadJSON(f *testing.F) {
	addSeeds(f, "FuzzReadJSON", "")
	f.Add(frame([]byte(`{"tcp":true}`)))
	f.Add([]byte{0x80, 0, 0, 0})
	f.Add([]byte{0x7f, 0xff, 0xff, 0xff, '{'})
	f.Add([]byte{ServerErrorCode.Byte(), 0, 0, 0, 1, 0, 0, 0, 2})
	f.Add([]byte{AccessDenied.Byte()})
	f.Fuzz(func(t *testing.T, data []byte) {
		const max = 1 << 16
		body, err := ReadJSON(bytes.NewReader(data), max)
		if err != nil {
			var tl *TooLargeError
			if errors.As(err, &tl) && tl.Len <= max {
				t.Fatalf("TooLargeError for %d bytes under a limit of %d", tl.Len, max)
			}
			return
		}
		n := binary.BigEndian.Uint32(data)
		if uint32(len(body)) != n || n > max || !bytes.Equal(body, data[4:4+n]) {
			t.Fatalf("prefix %d, body %d bytes", n, len(body))
		}
	})
}

// FuzzDecodeParams decodes arbitrary parameter documents: a document that
// decodes encodes to one that decodes to the same parameters.
func FuzzDecodeParams(f *testing.F) {
	addSeeds(f, "FuzzDecodeParams", "params_*.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := DecodeParams(data)
		if err != nil {
			return
		}
		enc, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("decoded parameters do not encode: %v", err)
		}
		q, err := DecodeParams(enc)
		if err != nil {
			t.Fatalf("re-encoded parameters do not decode: %v\n%s", err, enc)
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("round trip changed the parameters:\n%+v\n%+v", p, q)
		}
	})
}

// FuzzDecodeResults decodes arbitrary results documents: accepted ones have
// every stream's required keys, and encode and decode again.
func FuzzDecodeResults(f *testing.F) {
	addSeeds(f, "FuzzDecodeResults", "results_*.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := DecodeResults(data)
		if err != nil {
			return
		}
		enc, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("decoded results do not encode: %v", err)
		}
		again, err := DecodeResults(enc)
		if err != nil {
			t.Fatalf("re-encoded results do not decode: %v\n%s", err, enc)
		}
		if len(again.Streams) != len(r.Streams) {
			t.Fatalf("%d streams became %d", len(r.Streams), len(again.Streams))
		}
	})
}

// FuzzUDPHeader parses arbitrary datagram fronts with both counter widths:
// parsing succeeds exactly when the header fits, and writing the parsed
// header back gives the same bytes (32-bit counters keep the low half).
func FuzzUDPHeader(f *testing.F) {
	for _, s := range samples.Seeds(f, "FuzzUDPHeader") {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff}, false)
	f.Fuzz(func(t *testing.T, data []byte, wide bool) {
		h, ok := ParseUDPHeader(data, wide)
		if ok != (len(data) >= HeaderLen(wide)) {
			t.Fatalf("%d bytes, wide %v: ok = %v", len(data), wide, ok)
		}
		if !ok {
			return
		}
		if !wide && h.Seq > 0xffffffff {
			t.Fatalf("32-bit counter parsed as %d", h.Seq)
		}
		out := make([]byte, HeaderLen(wide))
		h.Put(out, wide)
		if !bytes.Equal(out, data[:len(out)]) {
			t.Fatalf("header %x written back as %x", data[:len(out)], out)
		}
	})
}

// FuzzReadServerError reads arbitrary bytes after a SERVER_ERROR state:
// always an error, never a panic, and a *ServerError when both codes fit.
func FuzzReadServerError(f *testing.F) {
	addSeeds(f, "FuzzReadServerError", "")
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		err := ReadServerError(bytes.NewReader(data))
		var se *ServerError
		if err == nil || (len(data) >= 8 && !errors.As(err, &se)) {
			t.Fatalf("%x: %v", data, err)
		}
		_ = err.Error()
	})
}
