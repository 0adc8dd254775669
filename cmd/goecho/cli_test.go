package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/goperf/goperf/engine/enginetest"
)

// TestBadFlags checks that each mistake gets one readable line on stderr
// and exit status 1, and nothing runs.
func TestBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-c", "--no-such-flag"}, "unknown flag --no-such-flag"},
		{[]string{}, "choose a mode: -s to run an echo server, or -c [HOST] to run a client"},
		{[]string{"-c", "-s"}, "--server"},
		{[]string{"-s", "somehost"}, "a server takes no HOST"},
		{[]string{"-c", "-b", "0"}, "buffer size must be 1 byte to 1G"},
		{[]string{"-c", "-b", "lots"}, `invalid size "lots"`},
		{[]string{"-c", "-u", "-b", "64K"}, "UDP buffer must be at most 65507 bytes"},
		{[]string{"-c", "-p", "0"}, "port must be 1 to 65535"},
		{[]string{"-c", "-p", "http"}, "--port"},
		{[]string{"-c", "-P", "0", "--latency"}, "connections (-P) must be 1 to 10000"},
		{[]string{"-c", "--rate=-5"}, "--rate must be a positive number"},
		{[]string{"-c", "--rate", "NaN"}, "--rate must be a positive number"},
		{[]string{"-c", "-t", "forever", "--latency"}, `invalid duration "forever"`},
		{[]string{"-c", "-J"}, "-J and --histogram need a measuring mode"},
		{[]string{"-s", "--latency"}, "client flags"},
		{[]string{"-c", "--latency", "-m", "8", "-p", "1"}, "message size must be at least 16 bytes"},
		{[]string{"-c", "--max-conns", "0"}, "--max-conns must be 1 or more"},
		{[]string{"-c", "x", "-a", "y"}, `HOST "x" and -a "y" disagree`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, strings.NewReader(""), &stdout, &stderr)
			if code != 1 {
				t.Errorf("exit %d, want 1; stdout %q", code, stdout.String())
			}
			oneErrorLine(t, stderr.String())
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("message %q lacks %q", stderr.String(), tt.want)
			}
		})
	}
}

// oneErrorLine checks that stderr is one readable error line.
func oneErrorLine(t *testing.T, stderr string) {
	t.Helper()
	enginetest.OneErrorLine(t, "goecho", stderr)
}

// TestHelpAndVersion exit 0 and print to stdout.
func TestHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"--version"}} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr); code != 0 || stdout.Len() == 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout.String(), stderr.String())
		}
	}
}
