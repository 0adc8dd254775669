package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// goecho runs the command in-process with stdin and returns its exit
// status, standard output and standard error.
func goecho(ctx context.Context, stdin string, args ...string) (int, string, string) {
	var out, errs bytes.Buffer
	code := run(ctx, args, strings.NewReader(stdin), &out, &errs)
	return code, out.String(), errs.String()
}

// serve starts `goecho -s` (with extra flags) on a free loopback port.
func serve(t *testing.T, extra ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		code, _, _ := goecho(ctx, "", append([]string{"-s", "-a", "127.0.0.1", "-p", port}, extra...)...)
		done <- code
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("server exit %d", code)
		}
	})
	time.Sleep(100 * time.Millisecond)
	return port
}

// TestEchoStdin is the acceptance command: lines through the server, TCP
// and UDP.
func TestEchoStdin(t *testing.T) {
	for _, proto := range [][]string{nil, {"-u"}} {
		port := serve(t, proto...)
		code, out, errs := goecho(context.Background(), "hello\nworld\n", append([]string{"-c", "127.0.0.1", "-p", port}, proto...)...)
		want := "Dialing 127.0.0.1:" + port + " using " + map[bool]string{false: "tcp", true: "udp"}[proto != nil] + "\n"
		if code != 0 || out != "hello\nworld\n" || errs != want {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", proto, code, out, errs)
		}
	}
}

// TestLatencyJSON checks that -J gives the percentiles as JSON.
func TestLatencyJSON(t *testing.T) {
	for _, proto := range [][]string{nil, {"-u"}} {
		port := serve(t, proto...)
		args := append([]string{"-c", "127.0.0.1", "-p", port, "--latency", "-t", "0.3", "-m", "64", "-J"}, proto...)
		code, out, errs := goecho(context.Background(), "", args...)
		var doc struct {
			Received uint64
			RTT      map[string]float64 `json:"rtt_us"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &doc) != nil || doc.Received == 0 || doc.RTT["p50"] <= 0 || doc.RTT["p99.9"] < doc.RTT["p50"] {
			t.Errorf("%v: exit %d, %s %s", proto, code, out, errs)
		}
	}
}

// TestBadInput checks that wrong flags and a missing server end in one
// line and a non-zero status.
func TestBadInput(t *testing.T) {
	port := serve(t)
	_ = port
	for _, args := range [][]string{
		{"-c", "--bogus"},
		{"-c", "-b", "0"},
		{"-c", "-m", "8", "--latency"},
		{"-c", "--latency", "--rate", "100"},
		{"-c", "-P", "0", "--latency"},
		{"-s", "somehost"},
		{"-c", "127.0.0.1", "-p", "1"},
	} {
		code, _, errs := goecho(context.Background(), "x\n", args...)
		lines := strings.Split(strings.TrimSpace(errs), "\n")
		last := lines[len(lines)-1]
		if code == 0 || !strings.HasPrefix(last, "goecho: error: ") || strings.Contains(errs, "panic") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
}
