package engine

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/goperf/goperf/engine/internal/samples"
	"github.com/goperf/goperf/engine/wire"
)

// TestParamsRoundTrip sends a Spec through the wire format and back.
func TestParamsRoundTrip(t *testing.T) {
	specs := []Spec{
		{Proto: TCP, Streams: 4, Length: 131072, Duration: 10 * time.Second},
		{Proto: TCP, Streams: 2, Direction: Bidir, Length: 8192, Bytes: 1 << 30, Omit: 2 * time.Second, Window: 4 << 20, MSS: 1400, NoDelay: true, Congestion: "cubic", TOS: 0x10, Title: "t", ExtraData: "x", GetServerOutput: true, Bitrate: 100e6},
		{Proto: TCP, Streams: 1, Direction: Reverse, Length: 1024, Blocks: 99, RepeatingPayload: true},
		{Proto: UDP, Streams: 1, Length: 1400, Duration: time.Second, Bitrate: 1 << 20, UDP64Bit: true},
		{Proto: UDP, Streams: 1, Length: 1400, Duration: time.Second, Bitrate: 10e6, Burst: 100, PacingTimer: 2 * time.Millisecond, DontFragment: true},
	}
	for _, want := range specs {
		b, err := json.Marshal(want.params())
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "false") {
			t.Errorf("parameters carry a false flag: %s", b)
		}
		p, err := wire.DecodeParams(b)
		if err != nil {
			t.Fatal(err)
		}
		got, err := specFromParams(p)
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("round trip:\n got %+v\nwant %+v\nwire %s", *got, want, b)
		}
	}
}

// TestSpecFromParamsRejects checks that bad parameters carry iperf3's code.
func TestSpecFromParamsRejects(t *testing.T) {
	tests := []struct {
		in   string
		code wire.Code
	}{
		{`{"tcp":true,"parallel":0,"len":1,"time":1}`, wire.CodeNumStreams},
		{`{"tcp":true,"parallel":129,"len":1,"time":1}`, wire.CodeNumStreams},
		{`{"tcp":true,"parallel":1,"len":2000000,"time":1}`, wire.CodeBlockSize},
		{`{"udp":true,"parallel":1,"len":8,"time":1}`, wire.CodeUDPBlockSize},
		{`{"tcp":true,"parallel":1,"len":1,"time":100000}`, wire.CodeDuration},
		{`{"tcp":true,"parallel":1,"len":1,"time":1,"omit":-1}`, wire.CodeOmit},
		{`{"tcp":true,"parallel":1,"len":1,"time":1,"MSS":99999}`, wire.CodeMSS},
		{`{"tcp":true,"parallel":1,"len":1,"time":1,"TOS":300}`, wire.CodeBadTOS},
		{`{"parallel":1,"len":1,"time":1}`, wire.CodeRecvParams},
		{`{"tcp":true,"udp":true,"parallel":1,"len":1,"time":1}`, wire.CodeRecvParams},
		{`{"tcp":true,"parallel":1,"len":1,"num":-5}`, wire.CodeRecvParams},
		{`{"tcp":true,"reverse":true,"bidirectional":true,"parallel":1,"len":1,"time":1}`, wire.CodeRecvParams},
	}
	for _, tt := range tests {
		p, err := wire.DecodeParams([]byte(tt.in))
		if err != nil {
			t.Fatal(err)
		}
		_, err = specFromParams(p)
		var se *specError
		if !errors.As(err, &se) || se.code != tt.code {
			t.Errorf("%s: %v, want code %d", tt.in, err, tt.code)
		}
	}
}

// TestCapturedParamsAccepted feeds every parameter document a stock client
// sent to the server's decoder.
func TestCapturedParamsAccepted(t *testing.T) {
	for _, f := range samples.Files(t, "params_*.json") {
		p, err := wire.DecodeParams(samples.Read(t, f))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := specFromParams(p); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
