package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goperf/goperf/engine/enginetest"
)

// waitStderr waits up to 10 s for p's standard error to contain s.
func waitStderr(t *testing.T, p *proc, s string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if strings.Contains(p.Stderr.String(), s) {
			return
		}
	}
	t.Fatalf("no %q on stderr:\n%s", s, p.Stderr.String())
}

// httpGet fetches u and returns its status and body.
func httpGet(t *testing.T, u string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 30 * time.Second}
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// A real Prometheus scrapes a goperf server's --metrics and probes a
// goperf and a stock iperf3 server through goperf --exporter, as a fleet
// would be set up (the README's scrape config); its query API then holds
// the series with plausible values. promtool's lint passes on every
// endpoint's output.
func TestPrometheusScrapesAndProbes(t *testing.T) {
	promBin := enginetest.Need(t, "prometheus")
	promtool := enginetest.Need(t, "promtool")
	iperf3Bin := enginetest.Need(t, "iperf3")
	port := func() int { return enginetest.FreePort(t) }
	metricsPort, exporterPort, iperfPort, promPort := port(), port(), port(), port()

	srv, gpPort := server(t, "--metrics", fmt.Sprintf("127.0.0.1:%d", metricsPort), "--probe")
	waitStderr(t, srv, "goperf: metrics at http://127.0.0.1:"+strconv.Itoa(metricsPort)+"/metrics")
	exp := start(t, nil, "--exporter", fmt.Sprintf("127.0.0.1:%d", exporterPort), "--probe-concurrency", "2")
	waitStderr(t, exp, "probe exporter at")
	enginetest.Start(t, exec.Command(iperf3Bin, "-s", "-B", "127.0.0.1", "-p", strconv.Itoa(iperfPort)))

	dir := t.TempDir()
	config := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(config, []byte(promConfig(metricsPort, exporterPort, gpPort, iperfPort)), 0o644); err != nil {
		t.Fatal(err)
	}
	prom := enginetest.Start(t, exec.Command(promBin, "--config.file="+config, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", promPort), "--log.level=warn"))
	api := fmt.Sprintf("http://127.0.0.1:%d", promPort)

	gpTarget, ipTarget := "127.0.0.1:"+gpPort, fmt.Sprintf("127.0.0.1:%d", iperfPort)
	checks := []struct {
		query string
		ok    func(float64) bool
		says  string
	}{
		{`up{job="goperf_server"}`, eq(1), "the server's endpoint is up"},
		{`up{job="goperf_exporter"}`, eq(1), "the exporter's own endpoint is up"},
		{`goperf_probe_success{instance="` + gpTarget + `"}`, eq(1), "the probe of the goperf server succeeds"},
		{`goperf_probe_success{instance="` + ipTarget + `"}`, eq(1), "the probe of the iperf3 server succeeds"},
		{`goperf_probe_bytes_per_second{instance="` + gpTarget + `",direction="forward",side="receiver"}`, above(1e6), "goperf target: over 1 MB/s on loopback"},
		{`goperf_probe_bytes_per_second{instance="` + ipTarget + `",direction="forward",side="receiver"}`, above(1e6), "iperf3 target: over 1 MB/s on loopback"},
		{`goperf_probe_duration_seconds{instance="` + ipTarget + `"}`, between(0.5, 3), "a 0.5 s test takes 0.5 to 3 s"},
		{`goperf_probe_retransmits{instance="` + gpTarget + `",direction="forward"}`, atLeast(0), "the sender's retransmits are there"},
		{`goperf_server_tests_completed_total`, atLeast(1), "the probes' tests against the goperf server completed"},
		{`goperf_server_received_bytes_total{protocol="tcp"}`, above(1e6), "the server counted what the probes sent"},
		{`goperf_server_tests_refused_total{reason="busy"}`, eq(0), "refusal counters exist from the start"},
		{`process_resident_memory_bytes{job="goperf_server"}`, above(1e6), "the server's RSS"},
		{`go_goroutines{job="goperf_server"}`, above(1), "the server's goroutines"},
		{`goperf_probes_total{job="goperf_exporter",result="success"}`, atLeast(2), "the exporter counts its probes"},
	}
	for _, c := range checks {
		v, err := waitQuery(api, c.query, c.ok, 60*time.Second)
		if err != nil {
			t.Errorf("%s: %s: %v\nprometheus:\n%s", c.says, c.query, err, prom.Stderr.String())
		} else {
			t.Logf("%s = %v", c.query, v)
		}
	}

	for name, u := range map[string]string{
		"server /metrics":         fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort),
		"server /probe":           fmt.Sprintf("http://127.0.0.1:%d/probe?target=%s&duration=0.3", metricsPort, ipTarget),
		"exporter /metrics":       fmt.Sprintf("http://127.0.0.1:%d/metrics", exporterPort),
		"exporter /probe":         fmt.Sprintf("http://127.0.0.1:%d/probe?target=%s&duration=0.3&protocol=udp", exporterPort, gpTarget),
		"exporter /probe, failed": fmt.Sprintf("http://127.0.0.1:%d/probe?target=127.0.0.1:%d&duration=0.3", exporterPort, port()),
	} {
		status, body := httpGet(t, u)
		if status != http.StatusOK {
			t.Errorf("%s: status %d: %s", name, status, body)
			continue
		}
		cmd := exec.Command(promtool, "check", "metrics")
		cmd.Stdin = strings.NewReader(body)
		if out, err := cmd.CombinedOutput(); err != nil || len(out) != 0 {
			t.Errorf("%s: promtool check metrics: %v\n%s", name, err, out)
		}
	}
}

// promConfig is a Prometheus configuration for the test: the server's
// metrics, the exporter's own, and the probes by relabelling, as the
// README shows.
func promConfig(metricsPort, exporterPort int, gpPort string, iperfPort int) string {
	return fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: goperf_server
    static_configs:
      - targets: ['127.0.0.1:%d']
  - job_name: goperf_exporter
    static_configs:
      - targets: ['127.0.0.1:%d']
  - job_name: goperf_probe
    metrics_path: /probe
    scrape_interval: 3s
    scrape_timeout: 3s
    params:
      duration: ['0.5']
    static_configs:
      - targets: ['127.0.0.1:%s', '127.0.0.1:%d']
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: 127.0.0.1:%d
`, metricsPort, exporterPort, gpPort, iperfPort, exporterPort)
}

func eq(want float64) func(float64) bool  { return func(v float64) bool { return v == want } }
func above(lo float64) func(float64) bool { return func(v float64) bool { return v > lo } }
func atLeast(lo float64) func(float64) bool {
	return func(v float64) bool { return v >= lo }
}
func between(lo, hi float64) func(float64) bool {
	return func(v float64) bool { return v >= lo && v <= hi }
}

// waitQuery asks Prometheus's query API for query until its one result
// satisfies ok, within limit; the error says what it last saw.
func waitQuery(api, query string, ok func(float64) bool, limit time.Duration) (float64, error) {
	last := "nothing"
	c := &http.Client{Timeout: 5 * time.Second}
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		resp, err := c.Get(api + "/api/v1/query?query=" + url.QueryEscape(query))
		if err != nil {
			last = err.Error()
			continue
		}
		var doc struct {
			Status string
			Data   struct {
				Result []struct {
					Value [2]any
				}
			}
		}
		err = json.NewDecoder(resp.Body).Decode(&doc)
		resp.Body.Close()
		if err != nil || doc.Status != "success" || len(doc.Data.Result) != 1 {
			last = fmt.Sprintf("status %q, %d results, %v", doc.Status, len(doc.Data.Result), err)
			continue
		}
		s, _ := doc.Data.Result[0].Value[1].(string)
		v, err := strconv.ParseFloat(s, 64)
		if err == nil && ok(v) {
			return v, nil
		}
		last = "value " + s
	}
	return 0, fmt.Errorf("not within %v; last saw %s", limit, last)
}

// Bad metrics flags are one line and exit 2, before anything listens.
func TestMetricsFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-c", "--metrics", ":0"},
		{"-s", "--probe"},
		{"-s", "--metrics", "127.0.0.1:0", "--metrics-tests", "0"},
		{"-s", "--probe-concurrency", "2"},
		{"--exporter", "127.0.0.1:0", "somehost"},
		{"-s", "--exporter", "127.0.0.1:0"},
		{"-s", "--metrics", "no-such-host.invalid:99999"},
	} {
		p := start(t, nil, args...)
		if code := p.Wait(t, 10*time.Second); code == 0 {
			t.Errorf("%v: exit 0", args)
		}
		oneErrorLine(t, p.Stderr.String())
	}
}
