package wire

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/goperf/goperf/engine/internal/samples"
)

func TestDecodeCapturedParams(t *testing.T) {
	for _, f := range samples.Files(t, "params_*.json") {
		t.Run(filepath.Base(f), func(t *testing.T) {
			p, err := DecodeParams(samples.Read(t, f))
			if err != nil {
				t.Fatal(err)
			}
			if bool(p.TCP) == bool(p.UDP) {
				t.Errorf("want exactly one of tcp/udp, got tcp=%v udp=%v", p.TCP, p.UDP)
			}
			if p.Parallel < 1 || p.Len < 1 {
				t.Errorf("parallel=%d len=%d", p.Parallel, p.Len)
			}
		})
	}
}

func TestDecodeParamsFields(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Params
	}{
		{"many flags", `{"tcp":true,"omit":1,"server_affinity":0,"time":1,"num":0,"blockcount":0,"MSS":1400,"nodelay":true,"parallel":1,"window":262144,"len":65536,"bandwidth":10000000,"pacing_timer":1000,"TOS":16,"title":"mytitle","extra_data":"xd","congestion":"cubic","repeating_payload":1,"zerocopy":1,"client_version":"3.12"}`,
			Params{TCP: true, Omit: 1, Time: 1, MSS: 1400, NoDelay: true, Parallel: 1, Window: 262144, Len: 65536, Bandwidth: 10000000, PacingTimer: 1000, TOS: 16, Title: "mytitle", ExtraData: "xd", Congestion: "cubic", RepeatingPayload: true, ZeroCopy: true, ClientVersion: "3.12"}},
		{"keys match case-insensitively", `{"TCP":true,"REVERSE":true,"Parallel":2,"len":1}`,
			Params{TCP: true, Reverse: true, Parallel: 2, Len: 1}},
		{"false flag is false", `{"tcp":true,"reverse":false,"len":1,"parallel":1}`,
			Params{TCP: true, Len: 1, Parallel: 1}},
		{"numeric flags", `{"udp":1,"udp_counters_64bit":1,"get_server_output":1,"len":16,"parallel":1}`,
			Params{UDP: true, UDPCounters64Bit: true, GetServerOutput: true, Len: 16, Parallel: 1}},
		{"fractional and unsigned numbers", `{"tcp":true,"time":2.9,"num":18446744073709551615,"len":1e3,"parallel":1}`,
			Params{TCP: true, Time: 2, Num: -1, Len: 1000, Parallel: 1}},
		{"unknown keys ignored", `{"tcp":true,"len":1,"parallel":1,"goperf_ext":{"v":1,"nested":[1,2]},"future":"x"}`,
			Params{TCP: true, Len: 1, Parallel: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeParams([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			got.ServerAffinity = nil
			if !paramsEqual(*got, tt.want) {
				t.Errorf("got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func paramsEqual(a, b Params) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

func TestDecodeParamsRejectsWrongTypes(t *testing.T) {
	for _, in := range []string{
		`{"tcp":true,"parallel":"2","len":1}`,
		`{"tcp":true,"parallel":[2],"len":1}`,
		`{"tcp":"yes","parallel":1,"len":1}`,
		`{"tcp":true,"time":1e300,"len":1}`,
		`not json`,
		`[]`,
	} {
		if _, err := DecodeParams([]byte(in)); err == nil {
			t.Errorf("DecodeParams(%s) = nil error", in)
		}
	}
}

func TestEncodeParamsNeverWritesFalse(t *testing.T) {
	b, err := json.Marshal(Params{TCP: true, Parallel: 1, Len: 131072, Time: 10})
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if strings.Contains(s, "false") {
		t.Errorf("encoded parameters contain false: %s", s)
	}
	for _, key := range []string{`"omit":0`, `"time":10`, `"num":0`, `"blockcount":0`, `"parallel":1`, `"len":131072`} {
		if !strings.Contains(s, key) {
			t.Errorf("encoded parameters lack %s: %s", key, s)
		}
	}
	b, _ = json.Marshal(Params{UDP: true, UDPCounters64Bit: true, GetServerOutput: true})
	if !strings.Contains(string(b), `"udp_counters_64bit":1`) || !strings.Contains(string(b), `"get_server_output":1`) {
		t.Errorf("numeric flags not written as 1: %s", b)
	}
}

func TestDecodeCapturedResults(t *testing.T) {
	for _, f := range samples.Files(t, "results_*.json") {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r, err := DecodeResults(samples.Read(t, f))
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Streams) == 0 {
				t.Fatal("no streams")
			}
			for _, s := range r.Streams {
				if s.ID < 1 || s.Bytes < 0 || s.Retransmits < -1 {
					t.Errorf("implausible stream %+v", s)
				}
			}
			if r.SenderHasRetransmits < -1 || r.SenderHasRetransmits > 1 {
				t.Errorf("sender_has_retransmits = %d", r.SenderHasRetransmits)
			}
		})
	}
}

func TestDecodeResultsUnsignedMinusOne(t *testing.T) {
	r, err := DecodeResults(samples.Read(t, "results_3.12_server_tcp_P2.json"))
	if err != nil {
		t.Fatal(err)
	}
	if r.SenderHasRetransmits != -1 || r.Streams[0].Retransmits != -1 {
		t.Errorf("want -1, got %d and %d", r.SenderHasRetransmits, r.Streams[0].Retransmits)
	}
	if r.Streams[1].ID != 3 || r.Streams[1].Bytes != 1310720 {
		t.Errorf("stream 2 = %+v", r.Streams[1])
	}
}

func TestDecodeResultsRequiredKeys(t *testing.T) {
	good := `{"cpu_util_total":1,"cpu_util_user":0.5,"cpu_util_system":0.5,"sender_has_retransmits":1,"streams":[{"id":1,"bytes":5,"retransmits":0,"jitter":0,"errors":0,"packets":0}]}`
	if _, err := DecodeResults([]byte(good)); err != nil {
		t.Fatalf("good document: %v", err)
	}
	bad := map[string]string{
		"no cpu":             strings.Replace(good, `"cpu_util_total":1,`, "", 1),
		"no streams":         `{"cpu_util_total":1,"cpu_util_user":0.5,"cpu_util_system":0.5,"sender_has_retransmits":1}`,
		"stream without id":  strings.Replace(good, `"id":1,`, "", 1),
		"half omitted pair":  strings.Replace(good, `"packets":0}`, `"packets":0,"omitted_packets":0}`, 1),
		"streams not array":  strings.Replace(good, `"streams":[`, `"streams":{"a":[`, 1) + "}",
		"bytes is a string":  strings.Replace(good, `"bytes":5`, `"bytes":"5"`, 1),
		"not an object":      `[1,2,3]`,
		"truncated document": good[:len(good)-3],
	}
	for name, in := range bad {
		if _, err := DecodeResults([]byte(in)); err == nil {
			t.Errorf("%s: accepted %s", name, in)
		}
	}
}

func TestJSONFrameRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	want := Params{TCP: true, Parallel: 4, Len: 131072, Time: 10, Goperf: &Ext{V: ExtVersion}}
	if err := WriteJSON(&buf, want); err != nil {
		t.Fatal(err)
	}
	if buf.Bytes()[0] != 0 || buf.Bytes()[1] != 0 {
		t.Fatalf("length prefix %x", buf.Bytes()[:4])
	}
	body, err := ReadJSON(&buf, MaxParamsLen)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeParams(body)
	if err != nil {
		t.Fatal(err)
	}
	if !paramsEqual(*got, want) {
		t.Errorf("got %+v want %+v", got, want)
	}
}

func TestReadJSONErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want func(error) bool
	}{
		{"2 GB length", []byte{0x7f, 0xff, 0xff, 0xff, '{'}, func(err error) bool {
			var tl *TooLargeError
			return errors.As(err, &tl)
		}},
		{"over the limit by one", []byte{0, 0, 0x20, 0x01}, func(err error) bool {
			var tl *TooLargeError
			return errors.As(err, &tl) && tl.Len == MaxParamsLen+1
		}},
		{"zero length", []byte{0, 0, 0, 0}, func(err error) bool { return errors.Is(err, ErrEmpty) }},
		{"short body", []byte{0, 0, 0, 10, '{', '}'}, func(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) }},
		{"short prefix", []byte{0, 0}, func(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) }},
		{"nothing", nil, func(err error) bool { return errors.Is(err, io.EOF) }},
		{"access denied", []byte{0xff}, func(err error) bool { return errors.Is(err, ErrAccessDenied) }},
		{"server error in place of results", []byte{0xfe, 0, 0, 0, 208, 0, 0, 0, 0}, func(err error) bool {
			var se *ServerError
			return errors.As(err, &se) && se.Code == CodeStreamID && se.Errno == 0
		}},
		{"server error cut short", []byte{0xfe, 0, 0}, func(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadJSON(bytes.NewReader(tt.in), MaxParamsLen)
			if err == nil || !tt.want(err) {
				t.Errorf("err = %v", err)
			}
		})
	}
}

// TestReadJSONLargeFrame reads frames past the eager size: whole ones
// arrive intact, and a prefix that promises 16 MiB but delivers a few
// bytes costs the reader about what arrived, not what was promised.
func TestReadJSONLargeFrame(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 3*eagerLen+7)
	frame := append([]byte{0, 0, 0, 0}, body...)
	binary.BigEndian.PutUint32(frame, uint32(len(body)))
	got, err := ReadJSON(bytes.NewReader(frame), MaxResultsLen)
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("whole frame: %d bytes, %v", len(got), err)
	}
	if _, err := ReadJSON(bytes.NewReader(frame[:len(frame)-1]), MaxResultsLen); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("frame one byte short: %v", err)
	}
	liar := []byte{0x00, 0xff, 0xff, 0xff, '{', '"'}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = ReadJSON(bytes.NewReader(liar), MaxResultsLen)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("16 MiB promised, 2 bytes sent: %v", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > eagerLen {
		t.Errorf("a 16 MiB prefix with 2 bytes behind it allocated %d bytes", n)
	}
}

func TestServerErrorBytes(t *testing.T) {
	se := &ServerError{Code: CodeRecvParams}
	if got, want := se.Bytes(), []byte{0xfe, 0, 0, 0, 0x72, 0, 0, 0, 0}; !bytes.Equal(got, want) {
		t.Errorf("bytes %x want %x (captured from 3.21)", got, want)
	}
	st, err := ReadState(bytes.NewReader(se.Bytes()))
	if err != nil || st != ServerErrorCode {
		t.Fatalf("state %v err %v", st, err)
	}
	err = ReadServerError(bytes.NewReader(se.Bytes()[1:]))
	if got := err.Error(); got != "server error: unable to receive parameters from client" {
		t.Errorf("message %q", got)
	}
}

func TestCookie(t *testing.T) {
	c := NewCookie()
	if c[CookieLen-1] != 0 || len(c.String()) != CookieLen-1 {
		t.Fatalf("cookie %q", c[:])
	}
	for _, ch := range c.String() {
		if !strings.ContainsRune(cookieAlphabet, ch) {
			t.Errorf("character %q outside the stock alphabet", ch)
		}
	}
	if NewCookie() == c {
		t.Error("two cookies are equal")
	}
	got, err := ReadCookie(bytes.NewReader(c[:]))
	if err != nil || got != c {
		t.Errorf("ReadCookie = %q, %v", got[:], err)
	}
	if _, err := ReadCookie(bytes.NewReader(c[:20])); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("half a cookie: %v", err)
	}
}

func TestStateString(t *testing.T) {
	if TestEnd.String() != "TEST_END" || State(65).String() != "state(65)" || GoperfHello.String() != "GOPERF_HELLO" || AccessDenied.String() != "ACCESS_DENIED" {
		t.Error("state names")
	}
	var buf bytes.Buffer
	_ = WriteState(&buf, AccessDenied)
	if buf.Bytes()[0] != 0xff {
		t.Errorf("ACCESS_DENIED byte %x", buf.Bytes())
	}
}

func TestUDPHeader(t *testing.T) {
	tests := []struct {
		name string
		h    UDPHeader
		wide bool
		want UDPHeader
	}{
		{"32-bit", UDPHeader{Sec: 1, Usec: 999999, Seq: 7}, false, UDPHeader{Sec: 1, Usec: 999999, Seq: 7}},
		{"32-bit wraps", UDPHeader{Sec: 2, Seq: 1<<32 + 5}, false, UDPHeader{Sec: 2, Seq: 5}},
		{"64-bit", UDPHeader{Sec: 3, Usec: 4, Seq: 1<<40 + 1}, true, UDPHeader{Sec: 3, Usec: 4, Seq: 1<<40 + 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := make([]byte, 1400)
			tt.h.Put(b, tt.wide)
			got, ok := ParseUDPHeader(b, tt.wide)
			if !ok || got != tt.want {
				t.Errorf("got %+v, %v want %+v", got, ok, tt.want)
			}
		})
	}
	if _, ok := ParseUDPHeader(make([]byte, 15), true); ok {
		t.Error("15 bytes parsed as a 64-bit header")
	}
}
