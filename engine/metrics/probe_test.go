package metrics

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/goperf/goperf/engine"
	"github.com/goperf/goperf/engine/enginetest"
)

// startIperf3 runs a stock iperf3 server for one test (-1) on a free
// loopback port, and returns the port once it accepts. One server per
// test: iperf3 3.12 reopens its listener after each test, and closes a
// client that connects in that moment.
func startIperf3(t *testing.T) int {
	t.Helper()
	bin := enginetest.Need(t, "iperf3")
	port := enginetest.FreePort(t)
	cmd := exec.Command(bin, "-s", "-1", "-B", "127.0.0.1", "-p", strconv.Itoa(port))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		// A connection that sends nothing would be iperf3 -1's one test:
		// look for the listening socket instead.
		if listening(port) {
			return port
		}
	}
	t.Fatal("iperf3 -s did not listen within 10 s")
	return 0
}

// listening reports whether a TCP socket listens on the loopback port,
// from /proc/net/tcp (state 0A), without connecting to it.
func listening(port int) bool {
	b, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		return false
	}
	want := fmt.Sprintf("0100007F:%04X", port)
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 3 && f[1] == want && f[3] == "0A" {
			return true
		}
	}
	return false
}

// startProber serves a Prober over HTTP on loopback.
func startProber(t *testing.T, o ProberOptions) (*httptest.Server, *Registry) {
	t.Helper()
	o.IO = testIO(t)
	reg := NewRegistry()
	srv := httptest.NewServer(NewProber(o, reg))
	t.Cleanup(srv.Close)
	return srv, reg
}

// probe asks srv for query, with Prometheus's scrape timeout header when
// timeout is set, and returns the status and body.
func probe(t *testing.T, srv *httptest.Server, query string, timeout time.Duration) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/probe?"+query, nil)
	if timeout > 0 {
		req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", strconv.FormatFloat(timeout.Seconds(), 'f', -1, 64))
	}
	client := &http.Client{Timeout: 60 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// parse reads an exposition in the text format.
func parse(t *testing.T, body string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("exposition does not parse: %v\n%s", err, body)
	}
	return fams
}

// A probe of a goperf and of a stock iperf3 server, TCP and UDP, forward
// and reverse, answers with the test's figures: success, both ends'
// bytes of each flow, which agree for TCP, and a rate that follows.
func TestProbeServers(t *testing.T) {
	gp := startWatched(t, engine.ServerConfig{}, ServerOptions{})
	targets := map[string]func() int{"goperf": func() int { return gp.port }, "iperf3": func() int { return startIperf3(t) }}
	srv, reg := startProber(t, ProberOptions{})
	for name, target := range targets {
		for _, q := range []string{"duration=0.5", "duration=0.5&reverse=true", "duration=0.5&protocol=udp&bitrate=20M&length=1200"} {
			t.Run(name+"/"+q, func(t *testing.T) {
				status, body := probe(t, srv, "target=127.0.0.1:"+strconv.Itoa(target())+"&"+q, 10*time.Second)
				if status != http.StatusOK {
					t.Fatalf("status %d: %s", status, body)
				}
				fams := parse(t, body)
				if v, _ := value(fams, "goperf_probe_success"); v != 1 {
					t.Fatalf("success %v:\n%s", v, body)
				}
				dir := "forward"
				if strings.Contains(q, "reverse") {
					dir = "reverse"
				}
				sent, _ := value(fams, "goperf_probe_bytes", "direction", dir, "side", "sender")
				recv, _ := value(fams, "goperf_probe_bytes", "direction", dir, "side", "receiver")
				rate, _ := value(fams, "goperf_probe_bytes_per_second", "direction", dir, "side", "receiver")
				secs, _ := value(fams, "goperf_probe_seconds", "direction", dir, "side", "receiver")
				switch {
				case recv <= 0 || sent < recv:
					t.Errorf("%s: sender %v bytes, receiver %v", dir, sent, recv)
				case !strings.Contains(q, "udp") && name == "goperf" && sent != recv:
					t.Errorf("%s TCP against goperf: sender %v bytes, receiver %v: they agree exactly", dir, sent, recv)
				case secs <= 0 || rate != recv/secs:
					t.Errorf("receiver rate %v, bytes/seconds %v", rate, recv/secs)
				}
				if strings.Contains(q, "udp") {
					sentN, _ := value(fams, "goperf_probe_datagrams", "direction", dir, "side", "sender")
					recvN, _ := value(fams, "goperf_probe_datagrams", "direction", dir, "side", "receiver")
					lost, ok := value(fams, "goperf_probe_lost_datagrams", "direction", dir)
					if !ok || sentN == 0 || (name == "goperf" && sentN != recvN+lost) {
						t.Errorf("UDP: sent %v datagrams, %v arrived, %v lost (present %v): sent = arrived + lost against goperf", sentN, recvN, lost, ok)
					}
				}
			})
		}
	}
	if v, _ := value(families(t, reg), "goperf_probes_total", "result", "success"); v != 6 {
		t.Errorf("probes_total{success} = %v, want 6", v)
	}
}

// A bad parameter is a 400 with one line naming it, before any test; a
// target with no server is a 200 with success 0 and the error.
func TestProbeRefusals(t *testing.T) {
	srv, reg := startProber(t, ProberOptions{MaxDuration: 10 * time.Second})
	for _, c := range []struct{ query, says string }{
		{"", "missing target"},
		{"target=127.0.0.1&protocol=sctp", "protocol"},
		{"target=127.0.0.1&duration=x", "duration"},
		{"target=127.0.0.1&duration=0", "positive"},
		{"target=127.0.0.1&duration=11", "--probe-max-duration"},
		{"target=127.0.0.1&port=70000", "port"},
		{"target=127.0.0.1:5201&port=5202", "give one"},
		{"target=127.0.0.1&reverse=true&bidir=true", "exclude"},
		{"target=127.0.0.1&parallel=0", "parallel"},
		{"target=127.0.0.1&bitrate=fast", "rate"},
		{"target=127.0.0.1&tagret=x", "unknown parameter"},
	} {
		status, body := probe(t, srv, c.query, 0)
		if status != http.StatusBadRequest || !strings.Contains(body, c.says) || strings.Count(strings.TrimSpace(body), "\n") != 0 {
			t.Errorf("%q: %d %q, want 400 and one line with %q", c.query, status, body, c.says)
		}
	}
	if status, body := probe(t, srv, "target=127.0.0.1&duration=5", 3*time.Second); status != http.StatusBadRequest || !strings.Contains(body, "scrape_timeout") {
		t.Errorf("a 5 s test in a 3 s scrape: %d %q, want 400 naming scrape_timeout", status, body)
	}
	status, body := probe(t, srv, "target=127.0.0.1:"+strconv.Itoa(enginetest.FreePort(t))+"&duration=1", 5*time.Second)
	fams := parse(t, body)
	if v, ok := value(fams, "goperf_probe_success"); status != http.StatusOK || !ok || v != 0 {
		t.Errorf("no server at the target: %d, success %v (present %v)", status, v, ok)
	}
	if _, ok := value(fams, "goperf_probe_failure_info"); !ok || !strings.Contains(body, "connection refused") {
		t.Errorf("no failure_info naming the refused connection:\n%s", body)
	}
	fr := families(t, reg)
	if v, _ := value(fr, "goperf_probes_total", "result", "rejected"); v != 12 {
		t.Errorf("probes_total{rejected} = %v, want 12", v)
	}
	if v, _ := value(fr, "goperf_probes_total", "result", "failure"); v != 1 {
		t.Errorf("probes_total{failure} = %v, want 1", v)
	}
}

// With one slot, a probe that arrives while another runs waits for it;
// one whose scrape ends first gets a 503 saying why.
func TestProbeConcurrency(t *testing.T) {
	gp := startWatched(t, engine.ServerConfig{}, ServerOptions{})
	srv, _ := startProber(t, ProberOptions{Concurrency: 1})
	target := "target=127.0.0.1:" + strconv.Itoa(gp.port)
	var wg sync.WaitGroup
	wg.Add(1)
	firstStatus := 0
	go func() {
		defer wg.Done()
		firstStatus, _ = probe(t, srv, target+"&duration=3", 20*time.Second)
	}()
	waitFor(t, gp.reg, "goperf_server_active_tests", func(v float64) bool { return v == 1 })
	start := time.Now()
	status, body := probe(t, srv, target+"&duration=0.5", 2500*time.Millisecond)
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "--probe-concurrency") {
		t.Errorf("second probe while the first runs: %d %q, want 503 naming --probe-concurrency", status, body)
	}
	if waited := time.Since(start); waited < 2*time.Second {
		t.Errorf("the second probe gave up after %v, before its scrape's 2.5 s", waited)
	}
	// This one waits for the slot: the first has at most about 1 s left.
	if status, body := probe(t, srv, target+"&duration=0.5", 15*time.Second); status != http.StatusOK || !strings.Contains(body, "goperf_probe_success 1") {
		t.Errorf("third probe: %d\n%s", status, body)
	}
	wg.Wait()
	if firstStatus != http.StatusOK {
		t.Errorf("first probe: %d", firstStatus)
	}
}
