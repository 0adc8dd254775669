package engine

import (
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goperf/goperf/engine/wire"
)

// TestLimitsAdmit checks the up-front refusals and their iperf3 codes.
func TestLimitsAdmit(t *testing.T) {
	l := Limits{MaxDuration: 10 * time.Second, Bitrate: 1e9}
	tests := []struct {
		name string
		sp   Spec
		code wire.Code // 0 = admitted
	}{
		{"within both", Spec{Streams: 4, Duration: 10 * time.Second, Bitrate: 250e6}, 0},
		{"too long", Spec{Streams: 1, Duration: 11 * time.Second}, wire.CodeMaxDuration},
		{"omit counts", Spec{Streams: 1, Duration: 8 * time.Second, Omit: 3 * time.Second}, wire.CodeMaxDuration},
		{"bytes instead of time", Spec{Streams: 1, Bytes: 1 << 40}, 0},
		{"rate over four streams", Spec{Streams: 4, Duration: time.Second, Bitrate: 251e6}, wire.CodeTotalRate},
		{"bidir counts both ways", Spec{Streams: 1, Direction: Bidir, Duration: time.Second, Bitrate: 600e6}, wire.CodeTotalRate},
		{"unlimited is checked while running", Spec{Streams: 128, Duration: time.Second}, 0},
		{"no overflow", Spec{Streams: 128, Duration: time.Second, Bitrate: 1 << 63}, wire.CodeTotalRate},
	}
	for _, tt := range tests {
		err := l.admit(&tt.sp)
		var se *specError
		switch {
		case tt.code == 0 && err != nil:
			t.Errorf("%s: refused: %v", tt.name, err)
		case tt.code != 0 && (!errors.As(err, &se) || se.code != tt.code):
			t.Errorf("%s: %v, want code %d", tt.name, err, tt.code)
		}
	}
	if err := (Limits{}).admit(&Spec{Streams: 128, Duration: 86400 * time.Second, Bitrate: 1 << 60}); err != nil {
		t.Errorf("no limits refused: %v", err)
	}
}

// TestGuard drives the running checks with a made-up clock.
func TestGuard(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

	if g := newGuard(Limits{MaxDuration: time.Second}, &Spec{Duration: time.Second}, t0); g != nil {
		t.Error("a timed test within the limit got a guard with nothing to watch")
	}
	g := newGuard(Limits{MaxDuration: 3 * time.Second}, &Spec{Bytes: 1 << 40}, t0)
	if r, err := g.check(at(2.9), 0); err != nil {
		t.Errorf("-n test at 2.9 s of 3: %v (%v)", err, r)
	}
	r, err := g.check(at(3.1), 0)
	var le *limitError
	if r != endLimit || !errors.As(err, &le) || le.code != wire.CodeMaxDuration {
		t.Errorf("-n test at 3.1 s of 3: %v, %v", r, err)
	}

	// 100 Mbit/s over 2 s: 12.5 MB per second is exactly the limit.
	g = newGuard(Limits{Bitrate: 100e6, BitrateWindow: 2 * time.Second}, &Spec{Duration: 10 * time.Second}, t0)
	var total uint64
	for s := 1; s <= 6; s++ {
		total += 12_500_000
		if _, err := g.check(at(float64(s)), total); err != nil {
			t.Fatalf("at the limit, %d s: %v", s, err)
		}
	}
	if len(g.marks) > 4 {
		t.Errorf("the guard keeps %d marks for a 2 s window checked each second", len(g.marks))
	}
	total += 2 * 12_500_000 // a burst: 150 Mbit/s over the last 2 s
	r, err = g.check(at(7), total)
	if r != endLimit || !errors.As(err, &le) || le.code != wire.CodeTotalRate {
		t.Errorf("over the limit: %v, %v", r, err)
	}
}

// TestServerLimits runs real clients against a capped server: refusals
// reach goperf's and iperf3's clients with iperf3's codes, and a test
// that runs too fast is ended within its window.
func TestServerLimits(t *testing.T) {
	ts := startServer(t, ServerConfig{Limits: Limits{MaxDuration: time.Second, Bitrate: 200e6, BitrateWindow: time.Second}}, JSON)

	_, _, err := runClient(t, ts.clientConfig(Spec{Duration: 2 * time.Second}))
	var se *wire.ServerError
	if !errors.As(err, &se) || se.Code != wire.CodeMaxDuration {
		t.Errorf("2 s test against a 1 s limit: %v", err)
	}
	_, _, err = runClient(t, ts.clientConfig(Spec{Streams: 2, Bitrate: 150e6}))
	if !errors.As(err, &se) || se.Code != wire.CodeTotalRate {
		t.Errorf("2 × 150 Mbit/s against 200: %v", err)
	}
	start := time.Now()
	_, _, err = runClient(t, ts.clientConfig(Spec{Bytes: 1 << 40}))
	if !errors.As(err, &se) || (se.Code != wire.CodeTotalRate && se.Code != wire.CodeMaxDuration) {
		t.Errorf("an unlimited 1 TB test: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the unlimited test was ended after %v", d)
	}
	if _, _, err := runClient(t, ts.clientConfig(Spec{Duration: 500 * time.Millisecond, Bitrate: 100e6})); err != nil {
		t.Errorf("a test within the limits: %v", err)
	}
	if path, err := exec.LookPath("iperf3"); err == nil {
		out, err := exec.Command(path, "-c", "127.0.0.1", "-p", strconv.Itoa(ts.port), "-t", "1", "-P", "4", "-b", "100M").CombinedOutput()
		if err == nil || !strings.Contains(string(out), "total required bandwidth is larger than server limit") {
			t.Errorf("stock iperf3 client over the rate limit: %v\n%s", err, out)
		}
	}
	// The server logs a refusal after it has told the client, which may
	// have exited by then: wait for the server to finish the last test.
	waitFor(t, func() bool { return ts.activeTests() == 0 })
	if n := strings.Count(ts.errs.String(), "\n"); n != 4 {
		t.Errorf("server logged %d lines for 4 refused or ended tests:\n%s", n, ts.errs.String())
	}
}
