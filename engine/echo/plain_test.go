package echo

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goperf/goperf/engine/output"
)

// TestPlain echoes lines, short and longer than the buffer, over TCP and
// UDP, and checks the output is the input after the seed's line.
func TestPlain(t *testing.T) {
	long := strings.Repeat("0123456789", 10) + "\n"
	tests := []struct {
		name, in string
		buffer   int
		wantLog  string // UDP only
	}{
		{"lines", "hello\nworld\n", 0, ""},
		{"no final newline", "hello\nworld", 0, ""},
		{"empty", "", 0, ""},
		{"long line", "short\n" + long + "after\n", 16, "several datagrams of at most 16 bytes"},
	}
	eachProto(t, func(t *testing.T, proto Proto) {
		ts := startServer(t, ServerConfig{Proto: proto})
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				cfg := ts.client(proto)
				cfg.Buffer = tt.buffer
				out, w, log := testOutput(output.Text)
				if err := Plain(context.Background(), cfg, strings.NewReader(tt.in), out); err != nil {
					t.Fatal(err)
				}
				want := "Dialing " + cfg.address() + " using " + network(proto) + "\n" + tt.in
				if w.String() != want {
					t.Errorf("output %q, want %q", w.String(), want)
				}
				if proto == UDP && !strings.Contains(log.String(), tt.wantLog) {
					t.Errorf("log %q lacks %q", log.String(), tt.wantLog)
				}
				if tt.wantLog == "" && log.String() != "" {
					t.Errorf("unexpected log %q", log.String())
				}
			})
		}
	})
}

// TestPlainNoServer fails with a hint when nothing listens.
func TestPlainNoServer(t *testing.T) {
	eachProto(t, func(t *testing.T, proto Proto) {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := pc.LocalAddr().(*net.UDPAddr).Port
		pc.Close() // a port nobody listens on, for either protocol, a moment ago
		cfg := ClientConfig{Proto: proto, Host: "127.0.0.1", Port: port, LostTimeout: time.Second}
		out, _, _ := testOutput(output.Text)
		err = Plain(context.Background(), cfg, strings.NewReader("hello\n"), out)
		if err == nil || !strings.Contains(err.Error(), "is a server running?") {
			t.Errorf("got %v, want a refused connection with a hint", err)
		}
	})
}

// TestPlainInterrupted ends a client blocked on its input.
func TestPlainInterrupted(t *testing.T) {
	ts := startServer(t, ServerConfig{})
	r, w := net.Pipe()
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	out, _, _ := testOutput(output.Text)
	if err := Plain(ctx, ts.client(TCP), r, out); !errors.Is(err, output.ErrInterrupted) {
		t.Errorf("got %v, want ErrInterrupted", err)
	}
	r.Close() // ends the input reader
}
