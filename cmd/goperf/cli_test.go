package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goperf/goperf/cmd/internal/cmdline"
	"github.com/goperf/goperf/engine"
	"github.com/goperf/goperf/sockopt"
)

// TestBadFlags checks that each mistake gets one readable line on stderr
// and a non-zero status, and nothing runs.
func TestBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-c", "--no-such-flag"}, "unknown flag --no-such-flag"},
		{[]string{"-c", "-b", "0"}, "buffer size must be 1 byte to 1G"},
		{[]string{"-c", "-b", "abc"}, `invalid size "abc"`},
		{[]string{"-c", "--length=-5"}, "negative"},
		{[]string{"-c", "-P", "0"}, "parallel streams must be 1 to 128, got 0"},
		{[]string{"-c", "-P", "500"}, "parallel streams must be 1 to 128"},
		{[]string{"-c", "-P", "four"}, "--parallel"},
		{[]string{"-c", "-t", "forever"}, `invalid duration "forever"`},
		{[]string{"-c", "--bitrate", "fast"}, `invalid rate "fast"`},
		{[]string{"-c", "-O", "1.5"}, "omit must be whole seconds"},
		{[]string{"-c", "-p", "70000"}, "port must be 1 to 65535"},
		{[]string{"-c", "-R", "--bidir"}, "--reverse"},
		{[]string{"-c", "-s"}, "--server"},
		{[]string{}, "choose a mode: -s to run a server, or -c [HOST] to run a client"},
		{[]string{"-s", "somehost"}, "a server takes no HOST"},
		{[]string{"-c", "--tos", "300"}, "invalid --tos"},
		{[]string{"-c", "--dscp", "XX"}, "invalid --dscp"},
		{[]string{"-c", "-u", "-b", "8"}, "UDP datagram size must be 16 to 65507 bytes, got 8"},
		{[]string{"-c", "--batch", "0"}, "UDP batch must be 1 to 1024"},
		{[]string{"-c", "--latency-rate", "0.5"}, "latency probe rate must be 1 to 10000 round trips per second, got 0.5"},
		{[]string{"-c", "--latency-rate", "1e6"}, "latency probe rate must be 1 to 10000"},
		{[]string{"-c", "-t", "-1"}, `invalid duration "-1": want 0 to 86400 seconds`},
		{[]string{"-c", "--connect-timeout", "-5"}, `invalid duration "-5"`},
		{[]string{"-c", "--cntl-ka=5/2/3"}, "control connection Keepalive period should be larger than the full retry period"},
		{[]string{"-c", "--cntl-ka=a/b"}, "want --cntl-ka[=IDLE[/INTERVAL[/COUNT]]]"},
		{[]string{"-c", "-u", "--gsro", "--no-gso"}, "--gsro asks for GSO and GRO"},
		{[]string{"-c", "-D"}, "-D and -I are a server's"},
		{[]string{"-c", "-f", "x"}, "bad format specifier (valid formats are in the set [kmgtKMGT])"},
		{[]string{"-c", "--pacing-timer", "2000000"}, "--pacing-timer must be at most 1000000 microseconds"},
		{[]string{"-c", "--bitrate", "10M/0"}, `invalid burst "0" in "10M/0": want 1 to 1000 blocks`},
		{[]string{"-c", "--zerocopy=fast"}, `invalid zero-copy mode "fast" (want msg, sendfile or auto)`},
		{[]string{"-c", "-Z", "--io", "netconn"}, "-Z needs"}, // the descriptor, or goperf's Linux build
		{[]string{"-c", "-A", "x"}, `invalid CPU "x": want 0 to 1024`},
		{[]string{"-c", "-A", "0,2000"}, `invalid CPU "2000"`},
		{[]string{"-c", "--affinity-streams", "3-1"}, `invalid CPU range "3-1"`},
		{[]string{"-c", "-A", "1000"}, "unable to set CPU affinity"}, // CPU 1000 is not one this process may run on, or none here
		{[]string{"-c", "-A", "0", "--io", "netconn"}, "unable to set CPU affinity"},
		{[]string{"-s", "-A", "1000"}, "unable to set CPU affinity"},
		{[]string{"-c", "--fq-rate", "fast"}, `invalid rate "fast"`},
		{[]string{"-c", "-u", "-F", "/etc/hostname"}, "cannot transfer file using UDP"},
		{[]string{"-c", "-F", "/no/such/file"}, "unable to open -F file"},
		{[]string{"-c", "-L", "2000000"}, "unable to set IPv6 flow label: want 1 to 1048575"},
		{[]string{"-c", "-u", "-L", "5"}, "goperf labels TCP streams only"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			if code == 0 {
				t.Errorf("exit 0, stdout %q", stdout.String())
			}
			msg := stderr.String()
			if strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "goperf: error: ") {
				t.Errorf("want one line 'goperf: error: ...', got %q", msg)
			}
			if !strings.Contains(msg, tt.want) {
				t.Errorf("message %q lacks %q", msg, tt.want)
			}
		})
	}
}

// TestHelpAndVersion exit 0 and print to stdout.
func TestHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"--version"}, {"-v"}} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, &stdout, &stderr); code != 0 || stdout.Len() == 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout.String(), stderr.String())
		}
	}
}

// TestFlagsReachConfig: flags whose effect a test run cannot see from
// outside reach the engine's configuration as iperf3 means them.
func TestFlagsReachConfig(t *testing.T) {
	tests := []struct {
		args  []string
		check func(engine.ClientConfig) bool
	}{
		{[]string{"--repeating-payload"}, func(c engine.ClientConfig) bool { return c.Spec.RepeatingPayload }},
		{nil, func(c engine.ClientConfig) bool { return !c.Spec.RepeatingPayload }},
		{[]string{"--connect-timeout", "3000"}, func(c engine.ClientConfig) bool { return c.ConnectTimeout == 3*time.Second }},
		{[]string{"--connect-timeout", "250ms"}, func(c engine.ClientConfig) bool { return c.ConnectTimeout == 250*time.Millisecond }},
		{[]string{"-T", "mesh", "--extra-data", "x"}, func(c engine.ClientConfig) bool { return c.Spec.Title == "mesh" && c.Spec.ExtraData == "x" }},
		{[]string{"-u", "--dont-fragment"}, func(c engine.ClientConfig) bool { return c.Spec.DontFragment }},
		{[]string{"--snd-timeout", "3000"}, func(c engine.ClientConfig) bool { return c.SendTimeout == 3*time.Second }},
		{[]string{"--cntl-ka"}, func(c engine.ClientConfig) bool {
			return c.ControlKeepAlive == net.KeepAliveConfig{Enable: true, Idle: 15 * time.Second, Interval: 15 * time.Second, Count: 9}
		}},
		{[]string{"--cntl-ka=60/5/3"}, func(c engine.ClientConfig) bool {
			return c.ControlKeepAlive == net.KeepAliveConfig{Enable: true, Idle: time.Minute, Interval: 5 * time.Second, Count: 3}
		}},
		{nil, func(c engine.ClientConfig) bool { return !c.ControlKeepAlive.Enable }},
		{[]string{"-u", "--gsro"}, func(c engine.ClientConfig) bool { return !c.UDP.NoGSO && !c.UDP.NoGRO }},
		{[]string{"--bitrate", "1M", "--pacing-timer", "5000"}, func(c engine.ClientConfig) bool { return c.Spec.PacingTimer == 5*time.Millisecond }},
		{[]string{"--bitrate", "10M/100"}, func(c engine.ClientConfig) bool { return c.Spec.Bitrate == 10e6 && c.Spec.Burst == 100 }},
		{[]string{"-m"}, func(c engine.ClientConfig) bool { return c.Spec.MPTCP }},
		{[]string{"--latency"}, func(c engine.ClientConfig) bool { return c.Spec.Latency && c.LatencyRate == 0 }},
		{[]string{"--latency-rate", "20"}, func(c engine.ClientConfig) bool { return c.Spec.Latency && c.LatencyRate == 20 }},
		{nil, func(c engine.ClientConfig) bool { return !c.Spec.Latency }},
		{[]string{"-Z"}, func(c engine.ClientConfig) bool {
			return c.Spec.ZeroCopy && c.Spec.ZeroCopyMode == sockopt.ZeroCopyAuto
		}},
		{[]string{"--zerocopy=sendfile"}, func(c engine.ClientConfig) bool {
			return c.Spec.ZeroCopy && c.Spec.ZeroCopyMode == sockopt.ZeroCopySendfile
		}},
		{[]string{"--skip-rx-copy"}, func(c engine.ClientConfig) bool { return c.Spec.SkipRxCopy }},
		{[]string{"-L", "0x12345"}, func(c engine.ClientConfig) bool { return c.Spec.FlowLabel == 0x12345 }},
		{[]string{"--fq-rate", "500M"}, func(c engine.ClientConfig) bool { return c.Spec.FQRate == 500e6 }},
		{nil, func(c engine.ClientConfig) bool { return c.CPUs == nil && c.Spec.ServerCPUs == nil }},
		{[]string{"-A", "1"}, func(c engine.ClientConfig) bool { return slices.Equal(c.CPUs, []int{1}) && c.Spec.ServerCPUs == nil }},
		{[]string{"-A", "0,1"}, func(c engine.ClientConfig) bool {
			return slices.Equal(c.CPUs, []int{0}) && slices.Equal(c.Spec.ServerCPUs, []int{1})
		}},
		{[]string{"-A", "0,1", "--affinity-streams", "0-2,5"}, func(c engine.ClientConfig) bool {
			return slices.Equal(c.CPUs, []int{0, 1, 2, 5}) && slices.Equal(c.Spec.ServerCPUs, []int{1})
		}},
	}
	for _, tt := range tests {
		var c cli
		var out bytes.Buffer
		args := append([]string{"-c", "127.0.0.1"}, tt.args...)
		if _, done, err := cmdline.Parse(&c, cmdline.Command{Name: "goperf"}, args, &out, &out); err != nil || done {
			t.Fatalf("%v: %v", args, err)
		}
		cfg, err := c.clientConfig()
		if err != nil || !tt.check(cfg) {
			t.Errorf("%v: %+v, %v", args, cfg, err)
		}
	}
}

// TestRateLikeBuffer: -b stays the buffer size, and a -b spelled as
// iperf3's rate says how to write the rate: in the refusal when the size
// is refused, in one note on stderr when it is taken. A plain number
// (the mission's -b 131072) gets no note.
func TestRateLikeBuffer(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-c", "-u", "-b", "1M"}, "UDP datagram size must be 16 to 65507 bytes, got 1048576; in goperf -b is the buffer size per write (iperf3's -l); for iperf3's rate -b 1M write --bitrate 1M"},
		{[]string{"-c", "-b", "0"}, "for iperf3's rate -b 0 write --bitrate 0"},
		{[]string{"-c", "-b", "10M/100"}, "for iperf3's rate -b 10M/100 write --bitrate 10M/100"},
		{[]string{"-c", "-b", "10G"}, "write --bitrate 10G"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), tt.args, &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), tt.want) || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want one line with %q", tt.args, code, stderr.String(), tt.want)
		}
	}
	var b bufferFlag
	for text, note := range map[string]bool{"1M": true, "1g": true, "131072": false, "128K": false} {
		if err := b.UnmarshalText([]byte(text)); err != nil {
			t.Fatal(err)
		}
		if got := b.rateNote() != ""; got != note {
			t.Errorf("-b %s: note %q, want one: %v", text, b.rateNote(), note)
		}
	}
}

// TestFileSetsLength: a client sending a file (-F) with no -t, -n or -k
// sends the file once, as iperf3; with -t, or receiving (-R), the test
// keeps its time.
func TestFileSetsLength(t *testing.T) {
	name := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(name, make([]byte, 12345), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args  []string
		bytes uint64
	}{
		{[]string{"-F", name}, 12345},
		{[]string{"--file=" + name}, 12345},
		{[]string{"-F", name, "-t", "3"}, 0},
		{[]string{"-F", name, "-t3"}, 0},
		{[]string{"-F", name, "--time=3"}, 0},
		{[]string{"-F", name, "-R"}, 0},
		{[]string{"-F", name, "-n", "1K"}, 1024},
		{[]string{"-F", name, "-T", "-t"}, 12345}, // a title that reads as -t
	} {
		args := append([]string{"-c", "127.0.0.1"}, tt.args...)
		var c cli
		var out bytes.Buffer
		if _, _, err := cmdline.Parse(&c, cmdline.Command{Name: "goperf"}, args, &out, &out); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		cfg, err := c.clientConfig()
		if err != nil || cfg.Spec.Bytes != tt.bytes || cfg.File != name || (tt.bytes > 0) != (cfg.Spec.Duration == 0) {
			t.Errorf("%v: bytes %d, duration %v, file %q, %v; want %d bytes", args, cfg.Spec.Bytes, cfg.Spec.Duration, cfg.File, err, tt.bytes)
		}
	}
}
