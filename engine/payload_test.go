package engine

import (
	"bytes"
	"compress/flate"
	"testing"

	"github.com/goperf/goperf/engine/internal/samples"
	"github.com/goperf/goperf/engine/wire"
)

// TestPayload: a sender's buffer is random by default, as iperf3's, so
// that it does not compress; --repeating-payload gives iperf3's pattern;
// receivers' buffers are not filled.
func TestPayload(t *testing.T) {
	const n = 128 << 10
	pattern := make([]byte, n)
	fillPayload(pattern, true)
	if !bytes.HasPrefix(pattern, []byte("01234567890123456789")) {
		t.Fatalf("pattern starts %q", pattern[:20])
	}
	a, b := newStream(1, nil, true, n, false).buf, newStream(3, nil, true, n, false).buf
	if bytes.Equal(a, b) || bytes.Equal(a, pattern) {
		t.Error("random payloads repeat each other or the pattern")
	}
	if c := compressed(t, a); c < n*99/100 {
		t.Errorf("random payload compresses from %d to %d bytes", n, c)
	}
	if c := compressed(t, pattern); c > n/20 {
		t.Errorf("the pattern compresses only to %d bytes", c)
	}
	if !bytes.Equal(newStream(1, nil, true, n, true).buf, pattern) {
		t.Error("a repeating stream does not send the pattern")
	}
	if r := newStream(1, nil, false, n, false).buf; !bytes.Equal(r, make([]byte, n)) {
		t.Error("a receiver's buffer was filled")
	}
	// A stock client's --repeating-payload reaches the server's spec.
	p, err := wire.DecodeParams(samples.Read(t, "params_3.12_tcp_many_flags.json"))
	if err != nil {
		t.Fatal(err)
	}
	if sp, err := specFromParams(p); err != nil || !sp.RepeatingPayload {
		t.Errorf("--repeating-payload from iperf3 3.12: %+v, %v", sp, err)
	}
}

func compressed(t *testing.T, b []byte) int {
	t.Helper()
	var out bytes.Buffer
	w, _ := flate.NewWriter(&out, flate.BestSpeed)
	_, _ = w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Len()
}
