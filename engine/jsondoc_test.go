package engine

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goperf/goperf/engine/internal/samples"
	"github.com/goperf/goperf/sockopt"
)

// keyPaths lists the object key paths of a decoded JSON document, with
// array elements merged under "[]".
func keyPaths(v any, prefix string, into map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			p := prefix + "." + k
			into[p] = true
			keyPaths(e, p, into)
		}
	case []any:
		for _, e := range v {
			keyPaths(e, prefix+"[]", into)
		}
	}
}

// TestJSONSchemaMatchesIperf3 checks that every key path of iperf3's -J
// documents for a TCP test appears in goperf's document for the same kind
// of test, so parsers written for iperf3 find what they look for.
//
// Where the kernel has no TCP_INFO (the portable build), iperf3 leaves out
// what it would read from it, and so does goperf.
func TestJSONSchemaMatchesIperf3(t *testing.T) {
	withoutTCPInfo := map[string]bool{
		".end.receiver_tcp_congestion":       true,
		".end.sender_tcp_congestion":         true,
		".intervals[].streams[].pmtu":        true,
		".intervals[].streams[].retransmits": true,
		".intervals[].streams[].rtt":         true,
		".intervals[].streams[].rttvar":      true,
		".intervals[].streams[].snd_cwnd":    true,
		".intervals[].streams[].snd_wnd":     true,
	}
	ts := startServer(t, ServerConfig{}, JSON)
	cases := []struct {
		sample string
		spec   Spec
	}{
		{"J_3.12_client_tcp_P2.json", Spec{Streams: 2}},
		{"J_3.12_client_tcp_R.json", Spec{Direction: Reverse}},
		{"J_3.12_client_tcp_bidir.json", Spec{Direction: Bidir}},
	}
	for _, c := range cases {
		t.Run(c.sample, func(t *testing.T) {
			var want map[string]any
			if err := json.Unmarshal(samples.Read(t, c.sample), &want); err != nil {
				t.Fatal(err)
			}
			cfg := ts.clientConfig(c.spec)
			cfg.Interval = 100 * time.Millisecond
			_, got, err := runClient(t, cfg)
			if err != nil {
				t.Fatal(err)
			}
			wantKeys, gotKeys := map[string]bool{}, map[string]bool{}
			keyPaths(want, "", wantKeys)
			keyPaths(got, "", gotKeys)
			var missing []string
			for k := range wantKeys {
				if !gotKeys[k] && !(withoutTCPInfo[k] && !sockopt.HasTCPInfo) {
					missing = append(missing, k)
				}
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				t.Errorf("goperf's document lacks iperf3's keys:\n%s", strings.Join(missing, "\n"))
			}
		})
	}
}
