package engine

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// testFile writes n random bytes to a new file and returns its path and
// the bytes.
func testFile(t *testing.T, n int) (string, []byte) {
	t.Helper()
	b := make([]byte, n)
	_, _ = rand.Read(b)
	name := filepath.Join(t.TempDir(), "src")
	if err := os.WriteFile(name, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return name, b
}

// sameFile fails the test unless the file at name holds want.
func sameFile(t *testing.T, name string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(name)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("%s: %d bytes (%v), want the %d sent, byte for byte", name, len(got), err, len(want))
	}
}

// TestDiskFile: -F on both ends, each way. A client sending a file sends
// it once (its length is the file's: the caller sets Bytes), a server
// sending one stops at its end, and the receiving end's file is the
// sender's byte for byte; both reports give iperf3's diskfile account.
func TestDiskFile(t *testing.T) {
	const size = 5<<20 + 12345 // not a whole number of blocks
	src, data := testFile(t, size)
	dst := filepath.Join(t.TempDir(), "dst")
	for _, tt := range []struct {
		name             string
		dir              Direction
		clientF, serverF string
		received         string
		clientSends      bool
	}{
		{"forward", Forward, src, dst, dst, true},
		{"reverse", Reverse, dst, src, dst, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, ServerConfig{File: tt.serverF}, JSON)
			spec := Spec{Streams: 1, Length: DefaultTCPLength, Direction: tt.dir, Duration: time.Second}
			if tt.clientSends {
				spec.Bytes, spec.Duration = size, 0
			}
			sum, doc, err := runClient(t, ClientConfig{Spec: spec, Host: "127.0.0.1", Port: ts.port, File: tt.clientF, IO: testIO})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Forward.Sender.Bytes != size || sum.Forward.Receiver.Bytes != size {
				t.Errorf("sent %d, received %d bytes of a %d-byte file", sum.Forward.Sender.Bytes, sum.Forward.Receiver.Bytes, size)
			}
			ts.stop()
			sameFile(t, tt.received, data)
			srv := serverDocs(t, ts.out.String())
			for who, d := range map[string]map[string]any{"client": doc, "server": srv[len(srv)-1]} {
				f := path(d, "end", "streams", 0, "diskfile")
				if num(f, "size") != size || num(f, "percent_sent") != 100 || num(f, "percent_received") != 100 || num(f, "sent") != size {
					t.Errorf("%s's diskfile: %v", who, f)
				}
			}
		})
	}
}

// TestDiskFileRefused: -F is TCP's, and neither zero copy nor a receiver
// that discards can carry a file.
func TestDiskFileRefused(t *testing.T) {
	src, _ := testFile(t, 1000)
	for _, spec := range []Spec{{Proto: UDP, Length: 1400}, {ZeroCopy: true}, {SkipRxCopy: true}} {
		spec.Streams, spec.Duration = 1, time.Second
		if spec.Length == 0 {
			spec.Length = DefaultTCPLength
		}
		cfg := ClientConfig{Spec: spec, Host: "127.0.0.1", Port: 5201, File: src}
		if err := cfg.Check(); err == nil {
			t.Errorf("%+v with -F: accepted", spec)
		}
	}
	cfg := ClientConfig{Spec: Spec{Streams: 1, Length: DefaultTCPLength, Duration: time.Second}, Host: "127.0.0.1",
		Port: startServer(t, ServerConfig{}, JSON).port, File: filepath.Join(t.TempDir(), "no", "such", "dir"), IO: testIO}
	if _, _, err := runClient(t, cfg); err == nil {
		t.Error("a file that cannot be opened: no error")
	}
}

// TestDiskFileIperf3: a goperf client sends a file to a stock iperf3
// server that writes it with its own -F, and a stock client's -F file
// reaches a goperf server's whole: goperf reads until the data stops.
func TestDiskFileIperf3(t *testing.T) {
	bin := iperf3(t)
	// Well over what the sockets buffer, so that iperf3's server reads
	// most of it before TEST_END, when it stops.
	const size = 32<<20 + 777
	src, data := testFile(t, size)
	dst := filepath.Join(t.TempDir(), "dst")
	port, wait := startIperf3Server(t, bin, "-F", dst)
	spec := Spec{Streams: 1, Length: DefaultTCPLength, Bytes: size}
	if sum, _ := dialDocUntilUp(t, ClientConfig{Spec: spec, Host: "127.0.0.1", Port: port, File: src, IO: testIO}); sum == nil {
		return
	}
	srv := wait()
	// iperf3's server stops reading at TEST_END: its file is what it
	// counted, the file's first bytes in order.
	got, err := os.ReadFile(dst)
	if err != nil || len(got) == 0 || float64(len(got)) != num(srv, "end", "sum_received", "bytes") || !bytes.Equal(got, data[:len(got)]) {
		t.Errorf("iperf3 -F wrote %d bytes (%v), counted %v: want the file's first bytes, as many as it counted",
			len(got), err, num(srv, "end", "sum_received", "bytes"))
	}

	dst2 := filepath.Join(t.TempDir(), "dst2")
	ts := startServer(t, ServerConfig{File: dst2}, JSON)
	cli, _ := iperf3ClientAgainst(t, bin, ts, 0, []string{"-c", "127.0.0.1", "-p", strconv.Itoa(ts.port), "-J", "-F", src})
	if got := num(cli, "end", "sum_received", "bytes"); got != size {
		t.Errorf("iperf3 -F: %v bytes received of %d", got, size)
	}
	ts.stop()
	sameFile(t, dst2, data)
}
