package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/goperf/goperf/engine"
	"github.com/goperf/goperf/engine/version"
)

// The iperf3 personality: goperf run as "iperf3" (a symlink or a copy by
// that name), or with --iperf3, reads iperf3 3.21's command line and
// writes its text, for the systems that exec a binary called iperf3 and
// parse what it prints (pScheduler, k8s-netperf, perf-tests, exporters).
// Its differences from goperf's own command line:
//   - -b and --bandwidth are the rate (iperf3's), --bitrate as before;
//     -l is the length. Native goperf keeps -b as the buffer size.
//   - -v/--version prints iperf3's three lines, naming goperf, with a
//     first line "iperf 3.21 (goperf X)" that version parsers read as 3.21.
//   - text is iperf3's: its banners, "Connecting to host", "iperf Done.",
//     a server's own side only, and none of goperf's own lines.
//   - errors are "iperf3: error - ..." and exit 1, parameter errors too.
//   - a server ignores a stray HOST, as iperf3 does (perf-tests passes one).

// personalityFlag is the hidden flag main adds when goperf runs as iperf3.
const personalityFlag = "--iperf3"

// iperf3Version is the version iperf3's parsers see.
const iperf3Version = "3.21"

// argsFor returns the arguments run gets for a command named argv0.
func argsFor(argv0 string, args []string) []string {
	if name := filepath.Base(argv0); name == "iperf3" || strings.HasPrefix(name, "iperf3.") {
		return append([]string{personalityFlag}, args...)
	}
	return args
}

// personality reports whether args ask for iperf3's personality, and the
// arguments without the flag, iperf3's -b spelled as goperf's --bitrate.
func personality(args []string) (bool, []string) {
	on := false
	var out []string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == personalityFlag:
			on = true
		case a == "--":
			out = append(out, args[i:]...)
			i = len(args)
		default:
			out = append(out, a)
		}
	}
	if !on {
		return false, args
	}
	for i, a := range out {
		switch {
		case a == "-b" || a == "--bandwidth":
			out[i] = "--bitrate"
		case strings.HasPrefix(a, "--bandwidth="):
			out[i] = "--bitrate=" + strings.TrimPrefix(a, "--bandwidth=")
		case strings.HasPrefix(a, "-b") && len(a) > 2:
			out[i] = "--bitrate=" + a[2:]
		}
	}
	return true, out
}

// iperf3VersionText is what iperf3 -v prints, for goperf: the version
// line, the system, and the optional features goperf has.
func iperf3VersionText() string {
	return "iperf " + iperf3Version + " (goperf " + engine.Version + ")\n" +
		version.System() + "\n" +
		"Optional features available: TCP congestion algorithm setting, bind to device, support IPv4 don't fragment, authentication, POSIX threads"
}

// speaker writes the command's own lines on stderr: goperf's "goperf:
// error: ...", or in the personality iperf3's "iperf3: error - ...".
type speaker struct {
	iperf3 bool
	w      io.Writer
}

// line writes one line of the command's own.
func (s speaker) line(text string) {
	fmt.Fprintf(s.w, "%s%s\n", s.prefix(), text)
}

// prefix is what the command's lines on stderr start with, its name.
func (s speaker) prefix() string {
	if s.iperf3 {
		return "iperf3: "
	}
	return "goperf: "
}

// error reports err and returns the exit status, 1.
func (s speaker) error(err error) int {
	if s.iperf3 {
		s.line("error - " + err.Error())
	} else {
		s.line("error: " + err.Error())
	}
	return 1
}

// parameterError reports a command line the parser refused: status 2 for
// goperf, iperf3's 1 in the personality.
func (s speaker) parameterError(err error) int {
	if s.iperf3 {
		s.line("parameter error - " + err.Error())
		return 1
	}
	s.line("error: " + err.Error())
	return 2
}
