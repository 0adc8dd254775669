package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goperf/goperf/engine/internal/samples"
	"github.com/goperf/goperf/sockopt"
)

// TestJSONSchemaMatchesIperf3: goperf's -J documents and --json-stream
// events have iperf3's keys with iperf3's JSON types, so parsers written
// for iperf3 find what they look for in the type they expect. Against
// 3.21's documents (testdata/iperf3, captured from a 3.21 client) the
// match is both ways: every key goperf writes outside its "goperf"
// objects is one 3.21 writes for the same test. Against 3.12's, which
// lack what 3.21 added (gso, gro, reorder), goperf has all of 3.12's keys.
//
// Where the kernel has no TCP_INFO (the portable build), iperf3 leaves out
// what it would read from it, and so does goperf.
func TestJSONSchemaMatchesIperf3(t *testing.T) {
	ts := startServer(t, ServerConfig{}, JSON)
	tcpUDP := func(s Spec) Spec {
		if s.Proto == UDP {
			s.Length, s.Bitrate = 1400, 10e6
		}
		return s
	}
	cases := []struct {
		sample  string
		spec    Spec
		format  Format
		refused bool // the client finds no server
		both    bool // 3.21: no keys beyond the sample's either
	}{
		{sample: "J_3.12_client_tcp_P2.json", spec: Spec{Streams: 2}},
		{sample: "J_3.12_client_tcp_R.json", spec: Spec{Direction: Reverse}},
		{sample: "J_3.12_client_tcp_bidir.json", spec: Spec{Direction: Bidir}},
		{sample: "J_3.21_client_tcp_P2.json", spec: Spec{Streams: 2}, both: true},
		{sample: "J_3.21_client_tcp_R.json", spec: Spec{Direction: Reverse}, both: true},
		{sample: "J_3.21_client_tcp_bidir.json", spec: Spec{Direction: Bidir}, both: true},
		{sample: "J_3.21_client_udp.json", spec: tcpUDP(Spec{Proto: UDP}), both: true},
		{sample: "J_3.21_client_udp_P2.json", spec: tcpUDP(Spec{Proto: UDP, Streams: 2}), both: true},
		{sample: "J_3.21_client_udp_bidir.json", spec: tcpUDP(Spec{Proto: UDP, Direction: Bidir}), both: true},
		{sample: "J_3.21_client_stream.jsonl", spec: Spec{}, format: JSONStream, both: true},
		{sample: "J_3.21_client_error_refused.json", spec: Spec{}, refused: true, both: true},
		{sample: "J_3.21_client_stream_error_refused.jsonl", spec: Spec{}, format: JSONStream, refused: true, both: true},
	}
	for _, c := range cases {
		t.Run(c.sample, func(t *testing.T) {
			want, wantEvents := shapeOf(t, samples.Read(t, c.sample), c.format)
			cfg := ts.clientConfig(c.spec)
			cfg.Interval = 100 * time.Millisecond
			if c.refused {
				cfg.Port = freePort(t)
			}
			format := c.format
			if format == Text {
				format = JSON
			}
			var out bytes.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			if _, err := RunClient(ctx, cfg, Output{W: &out, Format: format}); (err != nil) != c.refused {
				t.Fatalf("client: %v", err)
			}
			got, gotEvents := shapeOf(t, out.Bytes(), c.format)
			if !slices.Equal(gotEvents, wantEvents) {
				t.Errorf("events %v, iperf3 3.21 writes %v", gotEvents, wantEvents)
			}
			var diffs []string
			for k, typ := range want {
				switch g, ok := got[k]; {
				case !ok && withoutTCPInfo[k] && !sockopt.HasTCPInfo:
				case !ok:
					diffs = append(diffs, "missing "+k+" ("+typ+")")
				case g != typ:
					diffs = append(diffs, "type of "+k+": "+g+", iperf3 "+typ)
				}
			}
			for k, g := range got {
				if _, ok := want[k]; c.both && !ok && !strings.Contains(k, ".goperf") {
					diffs = append(diffs, "extra "+k+" ("+g+")")
				}
			}
			sort.Strings(diffs)
			if len(diffs) > 0 {
				t.Errorf("goperf's document against iperf3's:\n%s", strings.Join(diffs, "\n"))
			}
		})
	}
}

// withoutTCPInfo are the keys iperf3 reads from TCP_INFO and leaves out
// where the kernel has none.
var withoutTCPInfo = map[string]bool{
	".end.receiver_tcp_congestion":       true,
	".end.sender_tcp_congestion":         true,
	".intervals[].streams[].pmtu":        true,
	".intervals[].streams[].retransmits": true,
	".intervals[].streams[].rtt":         true,
	".intervals[].streams[].rttvar":      true,
	".intervals[].streams[].snd_cwnd":    true,
	".intervals[].streams[].snd_wnd":     true,
	".intervals[].streams[].reorder":     true,
	".interval.streams[].pmtu":           true,
	".interval.streams[].retransmits":    true,
	".interval.streams[].rtt":            true,
	".interval.streams[].rttvar":         true,
	".interval.streams[].snd_cwnd":       true,
	".interval.streams[].snd_wnd":        true,
	".interval.streams[].reorder":        true,
}

// shapeOf reads a -J document, or --json-stream lines, as its key paths
// with the JSON type at each (array elements merged under "[]"); stream
// events' data sit under ".<event>", and events lists them in order.
func shapeOf(t *testing.T, b []byte, format Format) (shape map[string]string, events []string) {
	t.Helper()
	shape = map[string]string{}
	if format != JSONStream {
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, b)
		}
		jsonTypes(doc, "", shape)
		return shape, nil
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var ev struct {
			Event string `json:"event"`
			Data  any    `json:"data"`
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("a --json-stream line is not JSON: %v\n%s", err, line)
		}
		if len(events) == 0 || events[len(events)-1] != ev.Event {
			events = append(events, ev.Event)
		}
		jsonTypes(ev.Data, "."+ev.Event, shape)
	}
	return shape, events
}

// jsonTypes records the JSON type at each key path under prefix.
func jsonTypes(v any, prefix string, into map[string]string) {
	switch v := v.(type) {
	case map[string]any:
		into[prefix] = "object"
		for k, e := range v {
			jsonTypes(e, prefix+"."+k, into)
		}
	case []any:
		into[prefix] = "array"
		for _, e := range v {
			jsonTypes(e, prefix+"[]", into)
		}
	case string:
		into[prefix] = "string"
	case float64:
		into[prefix] = "number"
	case bool:
		into[prefix] = "bool"
	case nil:
		into[prefix] = "null"
	}
}
