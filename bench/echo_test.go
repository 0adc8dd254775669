package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"
)

// goechoBinary builds goecho once for the benchmarks.
var goechoBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "goecho-bench")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "goecho")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/goecho").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// rtt is one run's round-trip percentiles, µs.
type rtt struct{ p50, p99, p999 float64 }

// BenchmarkEchoVsSockperf runs goecho's closed-loop latency and sockperf's
// ping-pong alternately on loopback, 64-byte messages, TCP and UDP, each
// tool against its own server, and reports median round trips. sockperf
// prints half round trips; they are doubled here.
func BenchmarkEchoVsSockperf(b *testing.B) {
	bin, err := goechoBinary()
	if err != nil {
		b.Fatal(err)
	}
	sp, err := exec.LookPath("sockperf")
	if err != nil {
		if os.Getenv("CI") == "true" {
			b.Fatal("sockperf is not installed; .ci/run should have installed it")
		}
		b.Skip("sockperf not installed")
	}
	secs := strconv.Itoa(int(benchSeconds() / time.Second))
	for _, proto := range []string{"tcp", "udp"} {
		b.Run(proto, func(b *testing.B) {
			var g, s []rtt
			for range b.N {
				r, err := goechoRun(bin, proto, secs)
				if err != nil {
					b.Fatal(err)
				}
				g = append(g, r)
				if r, err = sockperfRun(sp, proto, secs); err != nil {
					b.Fatal(err)
				}
				s = append(s, r)
			}
			med := func(rs []rtt, f func(rtt) float64) float64 {
				xs := make([]float64, len(rs))
				for i, r := range rs {
					xs[i] = f(r)
				}
				return Median(xs)
			}
			for name, rs := range map[string][]rtt{"goecho": g, "sockperf": s} {
				b.ReportMetric(med(rs, func(r rtt) float64 { return r.p50 }), name+"-p50-µs")
				b.ReportMetric(med(rs, func(r rtt) float64 { return r.p99 }), name+"-p99-µs")
				b.ReportMetric(med(rs, func(r rtt) float64 { return r.p999 }), name+"-p99.9-µs")
			}
			b.ReportMetric(med(g, func(r rtt) float64 { return r.p50 })/med(s, func(r rtt) float64 { return r.p50 }), "p50-ratio")
		})
	}
}

// withServer runs a server command for the length of f.
func withServer(argv []string, f func() error) error {
	srv := exec.Command(argv[0], argv[1:]...)
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() { _ = srv.Process.Kill(); _ = srv.Wait() }()
	time.Sleep(300 * time.Millisecond)
	return f()
}

func goechoRun(bin, proto, secs string) (rtt, error) {
	port, err := freePort()
	if err != nil {
		return rtt{}, err
	}
	p := strconv.Itoa(port)
	srv := []string{bin, "-s", "-a", "127.0.0.1", "-p", p}
	cli := []string{"-c", "127.0.0.1", "-p", p, "--latency", "-m", "64", "-t", secs, "-J"}
	if proto == "udp" {
		srv, cli = append(srv, "-u"), append(cli, "-u")
	}
	var r rtt
	err = withServer(srv, func() error {
		out, err := exec.Command(bin, cli...).Output()
		if err != nil {
			return fmt.Errorf("goecho: %v %s", err, out)
		}
		var doc struct {
			RTT map[string]float64 `json:"rtt_us"`
		}
		if err := json.Unmarshal(out, &doc); err != nil {
			return err
		}
		r = rtt{doc.RTT["p50"], doc.RTT["p99"], doc.RTT["p99.9"]}
		return nil
	})
	return r, err
}

var sockperfLine = regexp.MustCompile(`percentile (\d+\.\d+) =\s+([\d.]+)`)

func sockperfRun(bin, proto, secs string) (rtt, error) {
	port, err := freePort()
	if err != nil {
		return rtt{}, err
	}
	p := strconv.Itoa(port)
	flag := "--tcp"
	if proto == "udp" {
		flag = ""
	}
	args := func(mode string) []string {
		a := []string{bin, mode, "-i", "127.0.0.1", "-p", p}
		if flag != "" {
			a = append(a, flag)
		}
		return a
	}
	var r rtt
	err = withServer(args("sr"), func() error {
		argv := append(args("pp"), "-m", "64", "-t", secs)
		out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("sockperf: %v %s", err, out)
		}
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			m := sockperfLine.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			v, _ := strconv.ParseFloat(m[2], 64)
			switch m[1] {
			case "50.000":
				r.p50 = 2 * v // sockperf prints half the round trip
			case "99.000":
				r.p99 = 2 * v
			case "99.900":
				r.p999 = 2 * v
			}
		}
		if r.p50 == 0 {
			return fmt.Errorf("sockperf printed no percentiles: %s", out)
		}
		return nil
	})
	return r, err
}
