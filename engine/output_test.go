package engine

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestGetServerOutput asks a goperf server for its report, in text and in
// JSON, from a goperf client and from a stock iperf3 client.
func TestGetServerOutput(t *testing.T) {
	for _, format := range []Format{Text, JSON} {
		ts := startServer(t, ServerConfig{}, format)
		cfg := ts.clientConfig(Spec{GetServerOutput: true})
		_, doc, err := runClient(t, cfg)
		if err != nil {
			t.Fatal(err)
		}
		checkServerOutput(t, "goperf", format, doc)

		if _, err := exec.LookPath("iperf3"); err != nil {
			continue
		}
		var out bytes.Buffer
		cmd := exec.Command(iperf3(t), "-c", "127.0.0.1", "-p", strconv.Itoa(ts.port), "-t", "1", "-J", "--get-server-output")
		cmd.Stdout = &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		checkServerOutput(t, "iperf3", format, runIperf3(t, cmd, &out, 20*time.Second))
	}
}

func checkServerOutput(t *testing.T, client string, format Format, doc map[string]any) {
	t.Helper()
	if format == Text {
		text, _ := doc["server_output_text"].(string)
		if !strings.Contains(text, "Accepted connection from 127.0.0.1") || !strings.Contains(text, "receiver") {
			t.Errorf("%s client, text server: server_output_text = %q", client, text)
		}
		return
	}
	if num(doc, "server_output_json", "end", "sum_received", "bytes") <= 0 {
		t.Errorf("%s client, JSON server: server_output_json = %v", client, doc["server_output_json"])
	}
}

// TestJSONStream checks --json-stream: one object per line, start first,
// then intervals, end last.
func TestJSONStream(t *testing.T) {
	ts := startServer(t, ServerConfig{}, JSON)
	cfg := ts.clientConfig(Spec{Duration: 500 * time.Millisecond})
	cfg.Interval = 100 * time.Millisecond
	var out bytes.Buffer
	if _, err := RunClient(context.Background(), cfg, Output{W: &out, Format: JSONStream}); err != nil {
		t.Fatal(err)
	}
	var events []string
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var ev struct {
			Event string          `json:"event"`
			Data  json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil || len(ev.Data) == 0 {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		events = append(events, ev.Event)
	}
	if len(events) < 4 || events[0] != "start" || events[len(events)-1] != "end" {
		t.Fatalf("events %v", events)
	}
	for _, e := range events[1 : len(events)-1] {
		if e != "interval" {
			t.Errorf("events %v", events)
		}
	}
}
