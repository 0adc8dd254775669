package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/goperf/goperf/bench"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

// options are the command line.
type options struct {
	rounds, seconds int
	out             string
	extra           bench.StringList
	modes           bench.StringList
	remote          string
	goperfPort      int
	iperf3Port      int
	iperf2Port      int
}

func run() error {
	var o options
	flag.IntVar(&o.rounds, "rounds", 3, "runs of each tool per case, alternating; medians are reported")
	flag.IntVar(&o.seconds, "seconds", 3, "length of each run")
	flag.StringVar(&o.out, "out", "bench/out", "directory for compare.md and compare.json")
	flag.Var(&o.extra, "iperf3", "another iperf3 binary to compare with, such as a 3.21 build (repeatable)")
	flag.Var(&o.modes, "io", "also run goperf with this I/O mode forced on both ends: thread, raw or netconn (repeatable)")
	flag.StringVar(&o.remote, "remote", "", "test against servers already running on this host instead of loopback")
	flag.IntVar(&o.goperfPort, "goperf-port", 5201, "with -remote: the goperf server's port")
	flag.IntVar(&o.iperf3Port, "iperf3-port", 5202, "with -remote: the iperf3 server's port (the first -iperf3 binary's too)")
	flag.IntVar(&o.iperf2Port, "iperf2-port", 5001, "with -remote: the iperf 2 server's port; 0 leaves iperf 2 out")
	flag.Parse()
	if o.rounds < 1 || o.seconds < 1 {
		return errors.New("-rounds and -seconds must be at least 1")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	tools, err := o.tools()
	if err != nil {
		return err
	}
	var rows []row
	for _, c := range cases(o.seconds) {
		r, err := measure(ctx, tools, c, o.rounds)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "%s done\n", r.Case)
		rows = append(rows, r)
	}
	table := markdown(tools, rows, o)
	fmt.Print(table)
	return save(o.out, table, rows)
}

// cases are the comparison's tests.
func cases(seconds int) []bench.Case {
	d := time.Duration(seconds) * time.Second
	var cs []bench.Case
	for _, size := range []int{8 << 10, 128 << 10, 1 << 20} {
		for _, p := range []int{1, 4, 8} {
			cs = append(cs, bench.Case{Length: size, Streams: p, Time: d})
		}
	}
	cs = append(cs, bench.Case{UDP: true, Length: 1400, Streams: 1, Rate: "0", Time: d})
	for _, fast := range []string{"-Z", "--skip-rx-copy"} { // the fast paths, against the iperf3 builds that have them
		for _, p := range []int{1, 4} {
			cs = append(cs, bench.Case{Length: 128 << 10, Streams: p, Time: d, Flags: []string{fast}})
		}
	}
	return cs
}

// tools lists the contenders, goperf first.
func (o *options) tools() ([]bench.Tool, error) {
	gp, err := buildGoperf()
	if err != nil {
		return nil, err
	}
	tools := []bench.Tool{{Name: "goperf", Path: gp, BufferFlag: "-b", RateFlag: "--bitrate", Remote: o.remoteAt(o.goperfPort)}}
	for _, m := range o.modes {
		tools = append(tools, bench.Tool{Name: "goperf io=" + m, Path: gp, BufferFlag: "-b", RateFlag: "--bitrate",
			Env: []string{"GOPERF_IO=" + m}, Remote: o.remoteAt(o.goperfPort)})
	}
	paths := o.extra
	if p, err := exec.LookPath("iperf3"); err == nil {
		paths = append([]string{p}, paths...)
	} else if len(paths) == 0 {
		return nil, errors.New("no iperf3 to compare with: install it (apt-get install iperf3) or name one with -iperf3")
	}
	for i, p := range paths {
		name := "iperf3 " + version(p)
		port := o.iperf3Port + i
		tools = append(tools, bench.Tool{Name: name, Path: p, BufferFlag: "-l", RateFlag: "-b", Remote: o.remoteAt(port)})
	}
	if p, err := exec.LookPath("iperf"); err == nil && (o.remote == "" || o.iperf2Port > 0) {
		tools = append(tools, bench.Tool{Name: "iperf2", Path: p, Iperf2: true, Remote: o.remoteAt(o.iperf2Port)})
	}
	return tools, nil
}

// remoteAt is host:port with -remote, else "" (loopback, own servers).
func (o *options) remoteAt(port int) string {
	if o.remote == "" {
		return ""
	}
	return net.JoinHostPort(o.remote, strconv.Itoa(port))
}

// buildGoperf builds goperf into a temporary directory.
func buildGoperf() (string, error) {
	dir, err := os.MkdirTemp("", "goperf-compare")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "goperf")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/goperf").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

// version returns an iperf3 binary's version number, "3.12".
func version(path string) string {
	out, _ := exec.Command(path, "--version").Output()
	if f := strings.Fields(string(out)); len(f) > 1 {
		return f[1]
	}
	return filepath.Base(path)
}

// save writes the table and the figures.
func save(dir, table string, rows []row) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "compare.md"), []byte(table), 0o644); err != nil {
		return err
	}
	js, err := json.MarshalIndent(rows, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "compare.json"), append(js, '\n'), 0o644)
}
