package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Case is one throughput test: buffer size, streams, length.
type Case struct {
	Length     int           // bytes per write and read
	Streams    int           // parallel streams
	Time       time.Duration // test length, whole seconds
	Congestion string        // TCP congestion control (-C); "" = the system's default
}

// String names the case as sub-benchmarks do: "len=128K/P=4", with
// "/C=cubic" when the case sets the congestion control.
func (c Case) String() string {
	s := fmt.Sprintf("len=%s/P=%d", sizeName(c.Length), c.Streams)
	if c.Congestion != "" {
		s += "/C=" + c.Congestion
	}
	return s
}

func sizeName(n int) string {
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
type Tool struct {
	Name       string
	Path       string
	BufferFlag string   // "-l" or "-b"
	Extra      []string // more client flags
}

// Result is what one run measured, from the client's -J document.
type Result struct {
	Sent, Received uint64  // bytes
	Gbps           float64 // receiver's rate, Gbit/s
	ClientCPU      float64 // percent of one CPU
	ServerCPU      float64
}

// Run runs t's server and client once for c on loopback and returns the
// client's figures. The server serves one test and exits.
func (t Tool) Run(ctx context.Context, c Case) (Result, error) {
	port, err := freePort()
	if err != nil {
		return Result{}, err
	}
	p := strconv.Itoa(port)
	srv := exec.CommandContext(ctx, t.Path, "-s", "-1", "-p", p)
	if err := srv.Start(); err != nil {
		return Result{}, fmt.Errorf("%s server: %w", t.Name, err)
	}
	defer func() { _ = srv.Process.Kill(); _ = srv.Wait() }()
	args := []string{"-c", "127.0.0.1", "-p", p, "-J", "-i", "0",
		"-t", strconv.Itoa(int(c.Time / time.Second)), "-P", strconv.Itoa(c.Streams),
		t.BufferFlag, strconv.Itoa(c.Length)}
	if c.Congestion != "" {
		args = append(args, "-C", c.Congestion)
	}
	args = append(args, t.Extra...)
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

// client runs the client and decodes its -J document.
func (t Tool) client(ctx context.Context, args []string) (Result, error) {
	out, err := exec.CommandContext(ctx, t.Path, args...).Output()
	var doc struct {
		Error string
		End   struct {
			SumSent     struct{ Bytes uint64 } `json:"sum_sent"`
			SumReceived struct {
				Bytes         uint64
				BitsPerSecond float64 `json:"bits_per_second"`
			} `json:"sum_received"`
			CPU struct {
				HostTotal   float64 `json:"host_total"`
				RemoteTotal float64 `json:"remote_total"`
			} `json:"cpu_utilization_percent"`
		}
	}
	if jerr := json.Unmarshal(out, &doc); jerr != nil {
		return Result{}, fmt.Errorf("%s client: %v; output %.200q", t.Name, errors.Join(err, jerr), out)
	}
	if doc.Error != "" {
		if strings.Contains(doc.Error, "refused") {
			return Result{}, errNotListening
		}
		return Result{}, fmt.Errorf("%s client: %s", t.Name, doc.Error)
	}
	e := doc.End
	return Result{
		Sent: e.SumSent.Bytes, Received: e.SumReceived.Bytes,
		Gbps:      e.SumReceived.BitsPerSecond / 1e9,
		ClientCPU: e.CPU.HostTotal, ServerCPU: e.CPU.RemoteTotal,
	}, nil
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

// Alternate runs each tool once per round, in turn, for rounds rounds, and
// returns each tool's Gbit/s in round order.
func Alternate(ctx context.Context, tools []Tool, c Case, rounds int) (map[string][]float64, error) {
	return alternate(rounds, len(tools), func(i int) (string, float64, error) {
		r, err := tools[i].Run(ctx, c)
		return tools[i].Name, r.Gbps, err
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
