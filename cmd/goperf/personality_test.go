package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goperf/goperf/engine/enginetest"
)

// asIperf3 returns goperf's binary under the name iperf3, as a driver
// that execs iperf3 finds it first on PATH.
func asIperf3(t *testing.T) string {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "iperf3")
	if err := os.Symlink(bin, link); err != nil {
		t.Fatal(err)
	}
	return link
}

// TestIperf3Version: run as iperf3, --version and -v print iperf3's three
// lines, the first of which version parsers read as 3.21 (pScheduler
// takes its second word) while it names goperf.
func TestIperf3Version(t *testing.T) {
	bin := asIperf3(t)
	for _, flag := range []string{"--version", "-v"} {
		out, err := exec.Command(bin, flag).Output()
		if err != nil {
			t.Fatalf("%s: %v", flag, err)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) != 3 || !strings.HasPrefix(lines[0], "iperf 3.21 (goperf ") || !strings.HasPrefix(lines[2], "Optional features available: ") {
			t.Errorf("%s:\n%s", flag, out)
		}
		if f := strings.Fields(lines[0]); len(f) < 2 || f[1] != "3.21" {
			t.Errorf("%s: the version word is %q", flag, f)
		}
	}
}

// TestIperf3Text: run as iperf3, client and server print iperf3 3.21's
// text line for line once numbers and unit prefixes are masked, against
// 3.21's own output captured in testdata/iperf3 (T_3.21_*), for TCP,
// -R, --bidir, -P 2, UDP, UDP -R, UDP --bidir, --get-server-output and
// -V (whose version line names goperf beside 3.21, on purpose), -O, -n
// and -k, with
// iperf3's -b as the rate. A
// server's last interval shorter than half a second is left out on both
// sides: iperf3's server prints it or not depending on when TEST_END
// comes.
func TestIperf3Text(t *testing.T) {
	bin := asIperf3(t)
	for _, tt := range []struct{ name, args string }{
		{"tcp", ""}, {"tcp_R", "-R"}, {"tcp_bidir", "--bidir"}, {"tcp_P2", "-P 2"},
		{"udp", "-u -b 10M"}, {"udp_R", "-u -b 10M -R"}, {"udp_bidir", "-u -b 10M --bidir"},
		{"tcp_server_output", "--get-server-output"}, {"tcp_V", "-V"},
		{"tcp_O", "-O 1"}, {"tcp_n", "-n 10M"}, {"tcp_k", "-k 100"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			port := strconv.Itoa(enginetest.FreePort(t))
			srvArgs := []string{"-s", "-1", "-p", port}
			if strings.Contains(tt.args, "-V") {
				srvArgs = append(srvArgs, "-V") // both ends verbose, as captured
			}
			srv := enginetest.Start(t, exec.Command(bin, srvArgs...))
			srv.WaitOutput(t, "Server listening on "+port)
			// iperf3 3.21 ends a test of bytes or blocks at its first
			// stats tick after the last write (12.5 MB take "1.00 s"),
			// goperf when the last byte is read: such a test's
			// intervals are left out on both sides.
			budget := strings.Contains(tt.args, "-n") || strings.Contains(tt.args, "-k")
			args := []string{"-c", "127.0.0.1", "-p", port}
			if !budget {
				args = append(args, "-t", "2")
			}
			args = append(args, strings.Fields(tt.args)...)
			cli := enginetest.Start(t, exec.Command(bin, args...))
			if code := cli.Wait(t, 30*time.Second); code != 0 {
				t.Fatalf("iperf3 %v: exit %d: %s", args, code, cli.Stderr.String())
			}
			if code := srv.Wait(t, 10*time.Second); code != 0 {
				t.Fatalf("the -1 server: exit %d: %s", code, srv.Stderr.String())
			}
			for _, side := range []struct{ who, got string }{{"client", cli.Stdout.String()}, {"server", srv.Stdout.String()}} {
				capture, err := os.ReadFile(filepath.Join("..", "..", "testdata", "iperf3", "T_3.21_"+side.who+"_"+tt.name+".txt"))
				if err != nil {
					t.Fatal(err)
				}
				want, got := masked(string(capture)), masked(side.got)
				if budget {
					want, got = withoutIntervals(want), withoutIntervals(got)
				}
				if got != want {
					t.Errorf("%s differs from iperf3 3.21's (numbers masked):\n--- goperf as iperf3\n%s\n--- iperf3 3.21\n%s\n--- unmasked\n%s",
						side.who, got, want, side.got)
				}
			}
		})
	}
}

// masked replaces numbers by N, unit prefixes by U and runs of spaces by
// one, and leaves out intervals shorter than half a second (and the
// separator that closed their block), but not summary lines.
func masked(text string) string {
	goperf := regexp.MustCompile(` \(goperf [^)]*\)$`) // -V's version line names goperf, on purpose
	cookie := regexp.MustCompile(`Cookie: [a-z0-9]+`)
	clock := regexp.MustCompile(`^Time: .*GMT$`) // a capture's date is not today's
	span := regexp.MustCompile(`^\[[ \dA-Z]+\](\[[A-Z-]+\])? +(\d+\.\d+)-(\d+\.\d+) +sec`)
	num := regexp.MustCompile(`\d+(\.\d+)?`)
	unit := regexp.MustCompile(`\b[KMGT]?(Bytes|bits)`)
	var out []string
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		summary := strings.HasSuffix(strings.TrimSpace(line), "sender") || strings.HasSuffix(strings.TrimSpace(line), "receiver")
		if m := span.FindStringSubmatch(line); m != nil && !summary {
			start, _ := strconv.ParseFloat(m[2], 64)
			end, _ := strconv.ParseFloat(m[3], 64)
			if end-start < 0.5 {
				continue
			}
		}
		line = cookie.ReplaceAllString(goperf.ReplaceAllString(line, ""), "Cookie: C")
		line = clock.ReplaceAllString(line, "Time: T GMT")
		line = strings.Join(strings.Fields(unit.ReplaceAllString(num.ReplaceAllString(line, "N"), "U$1")), " ")
		if sep := "- - - - -"; strings.HasPrefix(line, sep) && len(out) > 0 && strings.HasPrefix(out[len(out)-1], sep) {
			continue // the separator of a short interval left out
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// withoutIntervals leaves out a masked report's interval lines: those
// with a time span before the first separator.
func withoutIntervals(masked string) string {
	var out []string
	summary := false
	for _, line := range strings.Split(masked, "\n") {
		summary = summary || strings.HasPrefix(line, "- - - - -")
		if !summary && strings.Contains(line, "N-N sec") {
			continue
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// TestIperf3CommandLine: run as iperf3, -b is the rate (what every iperf3
// driver passes), --bandwidth too; the JSON names iperf 3.21; a server
// takes and ignores a stray HOST (perf-tests passes one); errors read as
// iperf3's and exit 1, parameter errors too.
func TestIperf3CommandLine(t *testing.T) {
	bin := asIperf3(t)
	port := strconv.Itoa(enginetest.FreePort(t))
	srv := enginetest.Start(t, exec.Command(bin, "-s", "127.0.0.1", "-p", port, "-J", "-i", "60"))
	deadline := time.Now().Add(10 * time.Second)
	for !listening(t, port) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	for _, rate := range [][]string{{"-b", "2M"}, {"--bandwidth", "2M"}, {"-b2M"}} {
		args := append([]string{"-c", "127.0.0.1", "-p", port, "-u", "-t", "1", "-J"}, rate...)
		out, err := exec.Command(bin, args...).Output()
		if err != nil {
			t.Fatalf("iperf3 %v: %v\n%s\nserver: %s", args, err, out, srv.Stderr.String())
		}
		var doc struct {
			Start struct {
				Version   string
				TestStart struct {
					TargetBitrate float64 `json:"target_bitrate"`
					Blksize       int
				} `json:"test_start"`
			}
		}
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Start.TestStart.TargetBitrate != 2e6 || !strings.HasPrefix(doc.Start.Version, "iperf 3.21 (goperf ") {
			t.Errorf("iperf3 %v: target %v, version %q", rate, doc.Start.TestStart.TargetBitrate, doc.Start.Version)
		}
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-c", "127.0.0.1", "-p", strconv.Itoa(enginetest.FreePort(t))}, "iperf3: error - "},
		{[]string{"-c", "127.0.0.1", "--no-such-flag"}, "iperf3: parameter error - "},
	} {
		cmd := exec.Command(bin, tt.args...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.HasPrefix(stderr.String(), tt.want) || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("iperf3 %v: %v, stderr %q; want exit 1 and one line %q...", tt.args, err, stderr.String(), tt.want)
		}
	}
}

// TestPersonalityArgs: what the personality does to a command line.
func TestPersonalityArgs(t *testing.T) {
	if got := argsFor("/usr/bin/iperf3", []string{"-c", "h"}); strings.Join(got, " ") != "--iperf3 -c h" {
		t.Errorf("as iperf3: %v", got)
	}
	if got := argsFor("/usr/bin/goperf", []string{"-c", "h"}); strings.Join(got, " ") != "-c h" {
		t.Errorf("as goperf: %v", got)
	}
	on, got := personality([]string{"--iperf3", "-c", "h", "-b", "1M", "-l", "64K", "--bandwidth=2G", "-b0"})
	if want := "-c h --bitrate 1M -l 64K --bitrate=2G --bitrate=0"; !on || strings.Join(got, " ") != want {
		t.Errorf("personality: %v %v, want %s", on, got, want)
	}
	if on, got := personality([]string{"-c", "h", "-b", "128K"}); on || strings.Join(got, " ") != "-c h -b 128K" {
		t.Errorf("native: %v %v", on, got)
	}
}

// TestIperf3Flags: every flag of iperf3 3.21's --help (captured in
// testdata/iperf3/help_3.21.txt) is one of goperf's, but for those still
// to come, named here so that this list shrinks as they arrive.
func TestIperf3Flags(t *testing.T) {
	notYet := map[string]bool{} // none left
	help, err := os.ReadFile(filepath.Join("..", "..", "testdata", "iperf3", "help_3.21.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var ours strings.Builder
	if code := run(context.Background(), []string{"--help"}, &ours, &ours); code != 0 {
		t.Fatalf("--help: exit %d", code)
	}
	flag := regexp.MustCompile(`(?m)^\s+(?:-[a-zA-Z0-9], )?(--[a-z0-9-]+)`)
	seen := 0
	for _, m := range flag.FindAllStringSubmatch(string(help), -1) {
		seen++
		has := regexp.MustCompile(`(^|\s)` + regexp.QuoteMeta(m[1]) + `[=\s,]`).MatchString(ours.String())
		switch {
		case !has && !notYet[m[1]]:
			t.Errorf("iperf3's %s is not a goperf flag", m[1])
		case has && notYet[m[1]]:
			t.Errorf("%s is a goperf flag now: take it off the list", m[1])
		}
	}
	if seen < 60 {
		t.Errorf("read only %d flags from iperf3's help", seen)
	}
}
