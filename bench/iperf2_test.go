package bench

import (
	"context"
	"errors"
	"os/exec"
	"testing"
	"time"
)

// TestIperf2Result reads iperf 2.1's CSV, with and without a sum line.
func TestIperf2Result(t *testing.T) {
	two := "19700101000000,127.0.0.1,40146,127.0.0.1,5401,1,0.0-1.0,2590318652,20646199569\n" +
		"19700101000000,127.0.0.1,40144,127.0.0.1,5401,2,0.0-1.0,2549129276,20323446726\n"
	r, err := iperf2Result("iperf2", []byte(two), nil)
	if err != nil || r.Sent != 2590318652+2549129276 || r.Gbps < 40.96 || r.Gbps > 40.97 {
		t.Errorf("two streams: %+v, %v", r, err)
	}
	withSum := two + "19700101000000,127.0.0.1,0,127.0.0.1,5401,-1,0.0-1.0,5139447928,41000000000\n"
	if r, err := iperf2Result("iperf2", []byte(withSum), nil); err != nil || r.Gbps != 41 {
		t.Errorf("with a sum line: %+v, %v", r, err)
	}
	if _, err := iperf2Result("iperf2", nil, errors.New("exit status 1")); !errors.Is(err, errNotListening) {
		t.Errorf("no output: %v", err)
	}
	if _, err := iperf2Result("iperf2", []byte("garbage\n"), nil); err == nil {
		t.Error("garbage accepted")
	}
}

// TestIperf2Run runs the system's iperf 2 through Tool, where installed.
func TestIperf2Run(t *testing.T) {
	path, err := exec.LookPath("iperf")
	if err != nil {
		t.Skip("iperf (2) not installed")
	}
	tool := Tool{Name: "iperf2", Path: path, Iperf2: true}
	r, err := tool.Run(context.Background(), Case{Length: 128 << 10, Streams: 2, Time: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if r.Gbps <= 0 || r.Sent == 0 {
		t.Errorf("iperf2 measured %+v", r)
	}
}
