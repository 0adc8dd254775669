package engine

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/goperf/goperf/sockopt"
)

// TestSocketFlags: --dont-fragment reaches the UDP streams of both ends
// (the server learns it from the parameters) and --snd-timeout the
// client's TCP streams; each end's document shows what its kernel reports.
func TestSocketFlags(t *testing.T) {
	ts := startServer(t, ServerConfig{}, JSON)
	sockets := func(doc map[string]any) []any {
		s, _ := path(doc, "start", "goperf", "sockets").([]any)
		return s
	}
	check := func(who string, doc map[string]any, key string, want any) {
		t.Helper()
		ss := sockets(doc)
		if len(ss) == 0 {
			t.Fatalf("%s: no sockets in the document", who)
		}
		for _, s := range ss {
			if got := s.(map[string]any)[key]; got != want {
				t.Errorf("%s: %s = %v, want %v", who, key, got, want)
			}
		}
	}
	// Where the platform lacks an option (the portable build), asking for
	// it fails the test with ErrUnsupported, which is what it should do.
	run := func(t *testing.T, cfg ClientConfig) map[string]any {
		t.Helper()
		_, doc, err := runClient(t, cfg)
		switch {
		case errors.Is(err, sockopt.ErrUnsupported):
			t.Skipf("not on this platform: %v", err)
		case err != nil:
			t.Fatal(err)
		}
		return doc
	}
	t.Run("dont-fragment", func(t *testing.T) {
		doc := run(t, ts.clientConfig(Spec{Proto: UDP, Length: 1400, Bitrate: 1e6, Direction: Bidir, DontFragment: true}))
		check("client", doc, "dont_fragment", true)
		waitFor(t, func() bool { return len(serverDocs(t, ts.out.String())) == 1 })
		check("server", serverDocs(t, ts.out.String())[0], "dont_fragment", true)
	})
	t.Run("snd-timeout", func(t *testing.T) {
		cfg := ts.clientConfig(Spec{Streams: 2})
		cfg.SendTimeout = 3 * time.Second
		check("client", run(t, cfg), "user_timeout_ms", 3000.0)
	})
}

// TestMPTCP: -m on both ends makes the data streams Multipath TCP, as the
// kernel reports it; asked of a server that does not accept it, the
// streams fall back to TCP and the test runs; a plain client of an MPTCP
// server is served as before.
func TestMPTCP(t *testing.T) {
	if b, err := os.ReadFile("/proc/sys/net/mptcp/enabled"); err != nil || strings.TrimSpace(string(b)) != "1" {
		t.Skip("the kernel has no MPTCP enabled")
	}
	for _, tt := range []struct {
		server, client, want bool
	}{{true, true, true}, {false, true, false}, {true, false, false}} {
		ts := startServer(t, ServerConfig{MPTCP: tt.server}, JSON)
		_, doc, err := runClient(t, ts.clientConfig(Spec{Streams: 2, MPTCP: tt.client}))
		if err != nil {
			t.Fatalf("server %v, client %v: %v", tt.server, tt.client, err)
		}
		for _, s := range path(doc, "start", "goperf", "sockets").([]any) {
			if got, _ := s.(map[string]any)["mptcp"].(bool); got != tt.want {
				t.Errorf("server %v, client %v: stream mptcp %v, want %v", tt.server, tt.client, got, tt.want)
			}
		}
	}
}
