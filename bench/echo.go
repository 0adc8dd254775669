package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"regexp"
	"strconv"
	"time"
)

// EchoCase is one round-trip latency test: ping-pong on one connection.
type EchoCase struct {
	UDP     bool
	Size    int           // bytes per message
	Seconds int           // client run time, whole seconds
	Warmup  time.Duration // goecho's warm-up; sockperf warms up inside its run time
}

// String names the case as sub-benchmarks do: "tcp/m=64".
func (c EchoCase) String() string {
	proto := "tcp"
	if c.UDP {
		proto = "udp"
	}
	return fmt.Sprintf("%s/m=%d", proto, c.Size)
}

// RTT holds round-trip percentiles in microseconds.
type RTT struct {
	P50, P99, P999 float64
}

// EchoTool is a ping-pong latency tester with a server and a client
// process. Both must report whole round trips.
type EchoTool struct {
	Name   string
	Server func(port string, c EchoCase) []string // argv
	Client func(port string, c EchoCase) []string // argv
	Parse  func(out []byte) (RTT, error)          // the client's output
}

// Goecho returns goecho at path as an EchoTool; extra goes to its server
// and its client alike, so it holds only flags both take.
func Goecho(name, path string, extra ...string) EchoTool {
	proto := func(c EchoCase) []string {
		if c.UDP {
			return []string{"-u"}
		}
		return nil
	}
	return EchoTool{
		Name: name,
		Server: func(port string, c EchoCase) []string {
			return append(append([]string{path, "-s", "-a", "127.0.0.1", "-p", port}, proto(c)...), extra...)
		},
		Client: func(port string, c EchoCase) []string {
			args := []string{path, "-c", "127.0.0.1", "-p", port, "--latency", "-J", "-m", strconv.Itoa(c.Size),
				"-t", strconv.Itoa(c.Seconds), "--warmup", c.Warmup.String()}
			return append(append(args, proto(c)...), extra...)
		},
		Parse: parseGoecho,
	}
}

func parseGoecho(out []byte) (RTT, error) {
	var doc struct {
		Echoed, Mismatched uint64
		Errors             int
		RTT                struct{ P50, P99, P99_9 float64 } `json:"rtt_us"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return RTT{}, fmt.Errorf("goecho -J: %v; output %.200q", err, out)
	}
	if doc.Echoed == 0 || doc.Errors > 0 || doc.Mismatched > 0 {
		return RTT{}, fmt.Errorf("goecho: %d echoed, %d errors, %d mismatched", doc.Echoed, doc.Errors, doc.Mismatched)
	}
	return RTT{P50: doc.RTT.P50, P99: doc.RTT.P99, P999: doc.RTT.P99_9}, nil
}

// Sockperf returns the sockperf at path as an EchoTool. Its client runs
// with --full-rtt: by default sockperf prints half the round trip.
func Sockperf(path string) EchoTool {
	proto := func(c EchoCase) []string {
		if c.UDP {
			return nil
		}
		return []string{"--tcp"}
	}
	return EchoTool{
		Name: "sockperf",
		Server: func(port string, c EchoCase) []string {
			return append([]string{path, "server", "-i", "127.0.0.1", "-p", port}, proto(c)...)
		},
		Client: func(port string, c EchoCase) []string {
			args := []string{path, "ping-pong", "-i", "127.0.0.1", "-p", port, "--full-rtt",
				"-m", strconv.Itoa(c.Size), "-t", strconv.Itoa(c.Seconds)}
			return append(args, proto(c)...)
		},
		Parse: parseSockperf,
	}
}

var (
	sockperfRTT = regexp.MustCompile(`avg-rtt=`)
	sockperfPct = regexp.MustCompile(`percentile (\d+\.\d+) =\s+([\d.]+)`)
)

func parseSockperf(out []byte) (RTT, error) {
	if !sockperfRTT.Match(out) {
		return RTT{}, fmt.Errorf("sockperf printed no round trips (avg-rtt); output %.300q", out)
	}
	var r RTT
	found := 0
	for _, m := range sockperfPct.FindAllSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(string(m[2]), 64)
		switch string(m[1]) {
		case "50.000":
			r.P50, found = v, found+1
		case "99.000":
			r.P99, found = v, found+1
		case "99.900":
			r.P999, found = v, found+1
		}
	}
	if found != 3 {
		return RTT{}, fmt.Errorf("sockperf: percentiles missing; output %.300q", out)
	}
	return r, nil
}

// Run runs t's server and client once for c on loopback.
func (t EchoTool) Run(ctx context.Context, c EchoCase) (RTT, error) {
	port, err := freeEchoPort()
	if err != nil {
		return RTT{}, err
	}
	argv := t.Server(port, c)
	srv := exec.CommandContext(ctx, argv[0], argv[1:]...)
	if err := srv.Start(); err != nil {
		return RTT{}, fmt.Errorf("%s server: %w", t.Name, err)
	}
	defer func() { _ = srv.Process.Kill(); _ = srv.Wait() }()
	if err := waitBound(port, c.UDP); err != nil {
		return RTT{}, fmt.Errorf("%s server: %w", t.Name, err)
	}
	argv = t.Client(port, c)
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		return RTT{}, fmt.Errorf("%s client: %v; output %.300q", t.Name, err, out)
	}
	return t.Parse(out)
}

// freeEchoPort returns a loopback port free for TCP and UDP a moment ago.
func freeEchoPort() (string, error) {
	for range 10 {
		p, err := freePort()
		if err != nil {
			return "", err
		}
		port := strconv.Itoa(p)
		if pc, err := net.ListenPacket("udp", "127.0.0.1:"+port); err == nil {
			pc.Close()
			return port, nil
		}
	}
	return "", errors.New("no free port")
}

// waitBound waits until something has bound port on 127.0.0.1: until we
// can no longer bind it ourselves. It does not connect, so the server
// sees no extra client.
func waitBound(port string, udp bool) error {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var err error
		if udp {
			var pc net.PacketConn
			if pc, err = net.ListenPacket("udp", "127.0.0.1:"+port); err == nil {
				pc.Close()
			}
		} else {
			var ln net.Listener
			if ln, err = net.Listen("tcp", "127.0.0.1:"+port); err == nil {
				ln.Close()
			}
		}
		if err != nil {
			return nil
		}
	}
	return fmt.Errorf("port %s not bound after 5 s", port)
}

// AlternateEcho runs each tool once per round, in turn, and returns each
// tool's results in round order.
func AlternateEcho(ctx context.Context, tools []EchoTool, c EchoCase, rounds int) (map[string][]RTT, error) {
	return alternate(rounds, len(tools), func(i int) (string, RTT, error) {
		r, err := tools[i].Run(ctx, c)
		return tools[i].Name, r, err
	})
}

// MedianRTT returns the median of each percentile over rs.
func MedianRTT(rs []RTT) RTT {
	pick := func(f func(RTT) float64) float64 {
		xs := make([]float64, len(rs))
		for i, r := range rs {
			xs[i] = f(r)
		}
		return Median(xs)
	}
	return RTT{
		P50:  pick(func(r RTT) float64 { return r.P50 }),
		P99:  pick(func(r RTT) float64 { return r.P99 }),
		P999: pick(func(r RTT) float64 { return r.P999 }),
	}
}
