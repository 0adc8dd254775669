package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Case is one throughput test: buffer size, streams, length.
type Case struct {
	Length     int           // bytes per write and read, or per datagram
	Streams    int           // parallel streams
	Time       time.Duration // test length, whole seconds
	Congestion string        // TCP congestion control (-C); "" = the system's default
	UDP        bool          // a UDP test (-u)
	Rate       string        // target bit rate, "0" = unlimited; "" = the tool's default
	Interval   int           // seconds between interval reports, 0 = none
	Flags      []string      // more client flags, for every tool
}

// String names the case as sub-benchmarks do: "len=128K/P=4", with
// "/C=cubic" when the case sets the congestion control and its flags
// after ("/-Z").
func (c Case) String() string {
	s := fmt.Sprintf("len=%s/P=%d", SizeName(c.Length), c.Streams)
	if c.UDP {
		s = "udp/" + s
	}
	if c.Congestion != "" {
		s += "/C=" + c.Congestion
	}
	for _, f := range c.Flags {
		s += "/" + f
	}
	return s
}

// SizeName writes a size as the cases name it: 128K, 1M, or bytes.
func SizeName(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.Itoa(n>>20) + "M"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.Itoa(n>>10) + "K"
	}
	return strconv.Itoa(n)
}

// Tool is a throughput tester with iperf3's command line: -s, -c, -p, -t,
// -P and -J; the buffer flag differs (-l for iperf3, -b for goperf).
// iperf2 is the exception, marked by Iperf2: no -J, and its CSV output.
type Tool struct {
	Name       string
	Path       string
	BufferFlag string   // "-l" or "-b"
	RateFlag   string   // "-b" or "--bitrate"
	Extra      []string // more client flags
	Env        []string // more environment, server's and client's ("GOPERF_IO=raw")
	Iperf2     bool     // iperf 2: CSV reports (-y C), TCP only here

	// Remote, when set, is host:port of a server the user runs; Run then
	// starts no server and runs only the client against it.
	Remote string
}

// Result is what one run measured, from the client's -J document.
type Result struct {
	Sent, Received uint64  // bytes
	Gbps           float64 // receiver's rate, Gbit/s
	SenderGbps     float64
	ClientCPU      float64 // percent of one CPU
	ServerCPU      float64
	LostPercent    float64   // UDP: datagrams lost
	Intervals      []float64 // Gbit/s of each interval report
	StreamGbps     []float64 // TCP: each stream's receiver rate, Gbit/s
	// goperf's UDP figures: datagrams and system calls, summed over streams.
	Datagrams                    uint64
	SenderSyscalls, RecvSyscalls uint64
	SenderBatch, ReceiverBatch   int
	SenderGSO, ReceiverGRO       bool
}

// Run runs t's server and client once for c on loopback and returns the
// client's figures. The server serves one test and exits.
func (t Tool) Run(ctx context.Context, c Case) (Result, error) {
	if t.Remote != "" {
		host, port, err := net.SplitHostPort(t.Remote)
		if err != nil {
			return Result{}, fmt.Errorf("%s: remote %q: %w", t.Name, t.Remote, err)
		}
		return t.client(ctx, t.clientArgs(host, port, c))
	}
	port, err := freePort()
	if err != nil {
		return Result{}, err
	}
	p := strconv.Itoa(port)
	srv := t.command(ctx, t.serverArgs(p)...)
	if err := srv.Start(); err != nil {
		return Result{}, fmt.Errorf("%s server: %w", t.Name, err)
	}
	defer func() { _ = srv.Process.Kill(); _ = srv.Wait() }()
	args := t.clientArgs("127.0.0.1", p, c)
	deadline := time.Now().Add(5 * time.Second)
	for {
		res, err := t.client(ctx, args)
		if err == nil || !errors.Is(err, errNotListening) || time.Now().After(deadline) {
			return res, err
		}
		time.Sleep(50 * time.Millisecond) // the server is not listening yet
	}
}

var errNotListening = errors.New("server not listening yet")

// command is the tool run with args and its environment.
func (t Tool) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, t.Path, args...)
	if len(t.Env) > 0 {
		cmd.Env = append(os.Environ(), t.Env...)
	}
	return cmd
}

// serverArgs returns the command line of a server for one test on port.
func (t Tool) serverArgs(port string) []string {
	if t.Iperf2 {
		return []string{"-s", "-p", port} // it serves until killed
	}
	return []string{"-s", "-1", "-p", port}
}

// clientArgs returns the client's command line for c against host:port.
func (t Tool) clientArgs(host, port string, c Case) []string {
	if t.Iperf2 {
		return append([]string{"-c", host, "-p", port, "-y", "C", "-t", strconv.Itoa(int(c.Time / time.Second)),
			"-P", strconv.Itoa(c.Streams), "-l", strconv.Itoa(c.Length)}, t.Extra...)
	}
	args := []string{"-c", host, "-p", port, "-J", "-i", strconv.Itoa(c.Interval),
		"-t", strconv.Itoa(int(c.Time / time.Second)), "-P", strconv.Itoa(c.Streams),
		t.BufferFlag, strconv.Itoa(c.Length)}
	if c.Congestion != "" {
		args = append(args, "-C", c.Congestion)
	}
	if c.UDP {
		args = append(args, "-u")
	}
	if c.Rate != "" {
		args = append(args, t.RateFlag, c.Rate)
	}
	args = append(args, c.Flags...)
	return append(args, t.Extra...)
}

// client runs the client and decodes its -J document.
func (t Tool) client(ctx context.Context, args []string) (Result, error) {
	out, err := t.command(ctx, args...).Output()
	if t.Iperf2 {
		return iperf2Result(t.Name, out, err)
	}
	var doc clientDoc
	if jerr := json.Unmarshal(out, &doc); jerr != nil {
		return Result{}, fmt.Errorf("%s client: %v; output %.200q", t.Name, errors.Join(err, jerr), out)
	}
	if doc.Error != "" {
		if strings.Contains(doc.Error, "refused") {
			return Result{}, errNotListening
		}
		return Result{}, fmt.Errorf("%s client: %s", t.Name, doc.Error)
	}
	return doc.result(), nil
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Median returns the median of xs (the mean of the middle two for an even
// count), or 0 for none.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// PairRatio returns the median of b[i]/a[i] over the rounds both ran: the
// ratio of two tools run alternately, round by round. On a machine whose
// throughput moves between modes for several rounds at a time (the 2-core
// VM's UDP sits at about 70 or about 97 Gbit/s), the two tools of a round
// share its mode, so this reads the difference between them where the
// ratio of their medians can read a mode that one of them met more often.
func PairRatio(a, b []float64) float64 {
	n := min(len(a), len(b))
	rs := make([]float64, 0, n)
	for i := range n {
		if a[i] > 0 {
			rs = append(rs, b[i]/a[i])
		}
	}
	return Median(rs)
}

// Alternate runs each tool once per round, in turn, for rounds rounds, and
// returns each tool's results in round order.
func Alternate(ctx context.Context, tools []Tool, c Case, rounds int) (map[string][]Result, error) {
	return alternate(rounds, len(tools), func(i int) (string, Result, error) {
		r, err := tools[i].Run(ctx, c)
		return tools[i].Name, r, err
	})
}

// alternate calls run for tools 0 to n-1 once per round, in turn, for
// rounds rounds, and returns the results under each tool's name in round
// order. It stops at the first error.
func alternate[T any](rounds, n int, run func(i int) (string, T, error)) (map[string][]T, error) {
	res := make(map[string][]T, n)
	for range rounds {
		for i := range n {
			name, r, err := run(i)
			if err != nil {
				return res, err
			}
			res[name] = append(res[name], r)
		}
	}
	return res, nil
}

// Pick returns one figure of each result.
func Pick(rs []Result, f func(Result) float64) []float64 {
	xs := make([]float64, len(rs))
	for i, r := range rs {
		xs[i] = f(r)
	}
	return xs
}

// ReceiverGbps and the functions beside it are figures for Pick.
func ReceiverGbps(r Result) float64 { return r.Gbps }
func SenderGbps(r Result) float64   { return r.SenderGbps }
func LostPercent(r Result) float64  { return r.LostPercent }

// SweepSizes are the buffer sizes of the buffer-size sweep, 1 KiB to 1 MiB:
// BenchmarkTCPSweep's and BenchmarkPlainConn's, and bench/report's.
var SweepSizes = []int{1 << 10, 4 << 10, 8 << 10, 16 << 10, 32 << 10, 64 << 10, 128 << 10, 256 << 10, 512 << 10, 1 << 20}
