package engine

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/goperf/goperf/sockopt"
)

// TestRecvSpin: a receiver that keeps a thread to itself polls its empty
// socket exactly when its settings allow it: a server's receivers when
// both the client's and the server's do (the lesser of the two), a -R
// client's when its own does; and the polling is reported apart from the
// CPU the receiver needed. The sender is paced, so that the receiver
// finds its socket empty between blocks whatever the machine's load.
func TestRecvSpin(t *testing.T) {
	if !sockopt.BlockingIO || runtime.NumCPU() < 2 || (testIO != IOAuto && testIO != IOThread) {
		t.Skip("polling needs thread loops and a core to spare")
	}
	for _, tt := range []struct {
		server, client time.Duration // RecvSpin: 0 the default, -1 never
		dir            Direction
		polls          bool
	}{
		{0, 0, Forward, true},
		{0, -1, Forward, false},
		{-1, 0, Forward, false},
		{0, 0, Reverse, true},
		{-1, 0, Reverse, true}, // the server's setting is for its receivers
		{0, -1, Reverse, false},
	} {
		t.Run(fmt.Sprintf("server %v client %v %v", tt.server, tt.client, tt.dir), func(t *testing.T) {
			ts := startServer(t, ServerConfig{RecvSpin: tt.server}, Text)
			cfg := ts.clientConfig(Spec{Proto: TCP, Direction: tt.dir, Bitrate: 200e6, RecvSpin: tt.client, Duration: 500 * time.Millisecond})
			sum, doc, err := runClient(t, cfg)
			if err != nil {
				t.Fatal(err)
			}
			rcv := sum.RemoteCPU
			if tt.dir == Reverse {
				rcv = sum.LocalCPU
			}
			if polled := rcv.Polled > 0; polled != tt.polls {
				t.Errorf("receiver polled %.2f%% of a CPU; want polling %v", rcv.Polled, tt.polls)
			}
			if rcv.Polled > rcv.Total {
				t.Errorf("receiver polled %.2f%% of the %.2f%% it used", rcv.Polled, rcv.Total)
			}
			if got := path(doc, "end", "goperf", "cpu_polled_percent") != nil; got != tt.polls {
				t.Errorf("cpu_polled_percent in the JSON: %v, want %v", got, tt.polls)
			}
		})
	}
}
