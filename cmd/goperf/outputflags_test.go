package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestOutputFlags: iperf3's output flags, each seen in the output of a
// real client against a real server.
func TestOutputFlags(t *testing.T) {
	_, port := server(t)
	run := func(t *testing.T, args ...string) (stdout, stderr string) {
		t.Helper()
		c := start(t, nil, append([]string{"-c", "127.0.0.1", "-p", port, "-t", "1"}, args...)...)
		if code := c.Wait(t, 30*time.Second); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, c.Stderr.String())
		}
		return c.Stdout.String(), c.Stderr.String()
	}
	t.Run("timestamps", func(t *testing.T) {
		year := time.Now().Format("2006")
		out, _ := run(t, "--timestamps=%Y> ", "-T", "mesh")
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			if !strings.HasPrefix(line, year+"> mesh:  ") {
				t.Errorf("line without the stamp, then the title: %q", line)
			}
		}
		def, _ := run(t, "--timestamps")
		if !regexp.MustCompile(`^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ 123]\d \d\d:\d\d:\d\d \d{4} Dialing`).MatchString(def) {
			t.Errorf("--timestamps' default is iperf3's '%%c ': %q", firstLine(def))
		}
	})
	t.Run("json-stream-full-output", func(t *testing.T) {
		out, _ := run(t, "--json-stream", "--json-stream-full-output")
		i := strings.Index(out, "\n{\n")
		if i < 0 {
			t.Fatalf("no document after the events:\n%s", out)
		}
		events, doc := out[:i+1], out[i+1:]
		if !strings.Contains(events, `{"event":"end"`) {
			t.Errorf("events:\n%s", events)
		}
		var d struct {
			End struct {
				SumSent struct{ Bytes uint64 } `json:"sum_sent"`
			}
		}
		if err := json.Unmarshal([]byte(doc), &d); err != nil || d.End.SumSent.Bytes == 0 {
			t.Errorf("the document after the events: %v\n%s", err, doc)
		}
	})
	t.Run("forceflush", func(t *testing.T) {
		c := start(t, nil, "-c", "127.0.0.1", "-p", port, "-t", "3", "--forceflush")
		c.WaitOutput(t, `0\.00-1\.\d\d`) // written as it is made, before the end
		if code := c.Wait(t, 30*time.Second); code != 0 {
			t.Fatalf("exit %d: %s", code, c.Stderr.String())
		}
	})
	t.Run("format", func(t *testing.T) {
		out, _ := run(t, "-f", "m")
		if !regexp.MustCompile(`sec +[\d.]+ [KMG]?Bytes +\d+ Mbits/sec .*receiver`).MatchString(out) {
			t.Errorf("-f m: rates not in Mbits/sec:\n%s", out)
		}
		if out, _ = run(t, "-f", "K"); !strings.Contains(out, " KBytes/sec") {
			t.Errorf("-f K: rates not in KBytes/sec:\n%s", out)
		}
	})
	t.Run("debug", func(t *testing.T) {
		if _, log := run(t, "-d"); !strings.Contains(log, "goperf: control: the server says TEST_START") {
			t.Errorf("-d logs no steps:\n%s", log)
		}
	})
	t.Run("gsro", func(t *testing.T) {
		run(t, "-u", "--gsro", "--bitrate", "10M") // and TestBadFlags: it excludes --no-gso
	})
}

func firstLine(s string) string { line, _, _ := strings.Cut(s, "\n"); return line }
