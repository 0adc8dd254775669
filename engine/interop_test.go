package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goperf/goperf/engine/enginetest"
)

// iperf3 returns the path of the system's iperf3. Interop tests skip when it
// is missing, except in CI, where .ci/run installs it.
func iperf3(t *testing.T) string {
	t.Helper()
	return enginetest.Need(t, "iperf3")
}

// freePort returns a loopback TCP port that nothing listens on.
func freePort(t *testing.T) int { return enginetest.FreePort(t) }

// interopModes are the modes the issue names, as goperf specs and as
// iperf3 client flags.
var interopModes = []struct {
	name  string
	spec  Spec
	flags []string
}{
	{"P1", Spec{Streams: 1}, []string{"-P", "1"}},
	{"P4", Spec{Streams: 4}, []string{"-P", "4"}},
	{"reverse", Spec{Streams: 1, Direction: Reverse}, []string{"-R"}},
	{"bidir", Spec{Streams: 1, Direction: Bidir}, []string{"--bidir"}},
	{"bytes", Spec{Streams: 1, Bytes: 64 << 20}, []string{"-n", "64M"}},
}

// runIperf3 runs iperf3 with args until it exits, within limit, and
// returns its decoded -J document.
func runIperf3(t *testing.T, cmd *exec.Cmd, out *bytes.Buffer, limit time.Duration) map[string]any {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("iperf3 %v: %v\n%s", cmd.Args[1:], err, out.String())
		}
	case <-time.After(limit):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("iperf3 %v did not finish within %v", cmd.Args[1:], limit)
	}
	var doc map[string]any
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("iperf3's JSON does not parse: %v\n%s", err, out.String())
	}
	if e, ok := doc["error"]; ok {
		t.Errorf("iperf3 reports an error: %v", e)
	}
	return doc
}

// TestInteropGoperfClientIperf3Server runs the goperf client against a
// stock iperf3 server in each mode.
func TestInteropGoperfClientIperf3Server(t *testing.T) {
	bin := iperf3(t)
	for _, m := range interopModes {
		t.Run(m.name, func(t *testing.T) {
			spec := m.spec
			spec.Length = DefaultTCPLength
			if spec.Bytes == 0 {
				spec.Duration = time.Second
			}
			sum, srv := goperfAgainstIperf3Server(t, bin, spec)
			if sum == nil {
				return
			}
			compareWithIperf3(t, sum, srv)
		})
	}
}

// goperfAgainstIperf3Server runs a one-off stock iperf3 server and a goperf
// client of spec against it, and returns the client's summary (nil if it
// failed) and the server's JSON document.
func goperfAgainstIperf3Server(t *testing.T, bin string, spec Spec) (*Summary, map[string]any) {
	t.Helper()
	port, wait := startIperf3Server(t, bin)
	sum := dialUntilUp(t, ClientConfig{Spec: spec, Host: "127.0.0.1", Port: port, IO: testIO})
	return sum, wait()
}

// startIperf3Server starts a one-off stock iperf3 server with -J and
// extra flags on a free loopback port; wait waits for it to exit and
// returns its JSON document.
func startIperf3Server(t *testing.T, bin string, extra ...string) (port int, wait func() map[string]any) {
	t.Helper()
	port = freePort(t)
	var out bytes.Buffer
	cmd := exec.Command(bin, append([]string{"-s", "-1", "-J", "-B", "127.0.0.1", "-p", strconv.Itoa(port)}, extra...)...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return port, func() map[string]any { return runIperf3(t, cmd, &out, 20*time.Second) }
}

// dialUntilUp runs a client, retrying while the server is not listening
// yet (a probe connection would use up a one-off iperf3 server).
func dialUntilUp(t *testing.T, cfg ClientConfig) *Summary {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		sum, _, err := runClient(t, cfg)
		if err == nil {
			return sum
		}
		if time.Now().After(deadline) || !strings.Contains(err.Error(), "connection refused") {
			t.Errorf("goperf client: %v", err)
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// compareWithIperf3 checks that what iperf3 measured is what goperf reports
// iperf3 measured, in each direction iperf3 was the receiver or the sender.
func compareWithIperf3(t *testing.T, sum *Summary, doc map[string]any) {
	t.Helper()
	check := func(what string, goperf uint64, key string) {
		if got := num(doc, "end", key, "bytes"); got != float64(goperf) || got <= 0 {
			t.Errorf("%s: iperf3's %s.bytes = %v, goperf reports %d", what, key, got, goperf)
		}
	}
	t.Logf("goperf sent %d, received %d", sum.Forward.Sender.Bytes, sum.Forward.Receiver.Bytes)
	switch {
	case sum.Reverse != nil: // bidir: iperf3 received one direction and sent the other
		check("client to server", sum.Forward.Receiver.Bytes, "sum_received")
		check("server to client", sum.Reverse.Sender.Bytes, "sum_sent_bidir_reverse")
	case sum.Forward.Local: // iperf3 received
		check("received", sum.Forward.Receiver.Bytes, "sum_received")
	default: // iperf3 sent, and goperf read every byte of it
		check("sent", sum.Forward.Sender.Bytes, "sum_sent")
		if sum.Forward.Receiver.Bytes != sum.Forward.Sender.Bytes {
			t.Errorf("goperf received %d of the %d bytes iperf3 sent", sum.Forward.Receiver.Bytes, sum.Forward.Sender.Bytes)
		}
	}
}

// TestInteropIperf3ClientGoperfServer runs a stock iperf3 client against
// the goperf server in each mode.
func TestInteropIperf3ClientGoperfServer(t *testing.T) {
	bin := iperf3(t)
	ts := startServer(t, ServerConfig{}, JSON)
	for i, m := range interopModes {
		t.Run(m.name, func(t *testing.T) {
			args := append([]string{"-c", "127.0.0.1", "-p", strconv.Itoa(ts.port), "-J"}, m.flags...)
			if m.spec.Bytes == 0 {
				args = append(args, "-t", "1")
			}
			cli, srv := iperf3ClientAgainst(t, bin, ts, i, args)
			for _, key := range []string{"sum_sent", "sum_received", "sum_sent_bidir_reverse", "sum_received_bidir_reverse"} {
				c, s := num(cli, "end", key, "bytes"), num(srv, "end", key, "bytes")
				if c != s {
					t.Errorf("%s: iperf3 client says %v bytes, goperf server %v", key, c, s)
				}
			}
			if num(cli, "end", "sum_received", "bytes") <= 0 {
				t.Errorf("iperf3 reports nothing received: %v", path(cli, "end", "sum_received"))
			}
		})
	}
}

// iperf3ClientAgainst runs a stock iperf3 client with args against ts, the
// n-th test that server serves, and returns both ends' JSON documents.
func iperf3ClientAgainst(t *testing.T, bin string, ts *testServer, n int, args []string) (cli, srv map[string]any) {
	t.Helper()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	cli = runIperf3(t, cmd, &out, 20*time.Second)
	docs := serverDocs(t, ts.out.String())
	if len(docs) != n+1 {
		t.Fatalf("goperf server printed %d documents after %d tests; log: %s", len(docs), n+1, ts.errs.String())
	}
	return cli, docs[n]
}
