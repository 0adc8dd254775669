package bench

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goperf/goperf/engine"
)

// BenchmarkTCPSweep runs goperf's engine in this process as the client of
// a goperf server process, in each I/O mode (both ends), across buffer
// sizes and 1 and 4 streams: a CPU profile of the benchmark (-cpuprofile)
// is the sender's alone. Each iteration is one test of
// GOPERF_BENCH_SECONDS.
func BenchmarkTCPSweep(b *testing.B) {
	for _, mode := range []engine.IOMode{engine.IOThread, engine.IORaw, engine.IONetConn} {
		b.Run("io="+mode.String(), func(b *testing.B) {
			port := goperfServer(b, "--io", mode.String())
			sweep(b, func(size, streams int) (uint64, uint64, error) {
				cfg := engine.ClientConfig{Spec: engine.Spec{Streams: streams, Length: size, Duration: benchSeconds()},
					Host: "127.0.0.1", Port: port, IO: mode}
				sum, err := engine.RunClient(context.Background(), cfg, engine.Output{W: io.Discard, Format: engine.JSON})
				if err != nil {
					return 0, 0, err
				}
				return sum.Forward.Sender.Bytes, sum.Forward.Sender.Bytes / uint64(size), nil
			})
		})
	}
}

// BenchmarkPlainConn is what a simple Go program gets: one goroutine per
// connection calling net.Conn.Write with one buffer until a deadline, to a
// sink in another process that reads with a buffer of the same size, as
// iperf's receivers do, and discards. Go's net package sets TCP_NODELAY on
// every TCP connection, and so does this loop.
func BenchmarkPlainConn(b *testing.B) { benchPlain(b, true) }

// BenchmarkPlainConnNagle is the same loop with SetNoDelay(false): Nagle's
// algorithm on, as in iperf, iperf3 and goperf unless -N.
func BenchmarkPlainConnNagle(b *testing.B) { benchPlain(b, false) }

func benchPlain(b *testing.B, noDelay bool) {
	addr := sinkServer(b)
	sweep(b, func(size, streams int) (uint64, uint64, error) {
		return plainSend(addr, size, streams, noDelay, benchSeconds())
	})
}

// sweep runs send, which returns the bytes and writes it made, for every
// size with 1 and 4 streams, and reports the figures.
func sweep(b *testing.B, send func(size, streams int) (bytes, writes uint64, err error)) {
	for _, streams := range []int{1, 4} {
		for _, size := range SweepSizes {
			b.Run(Case{Length: size, Streams: streams}.String(), func(b *testing.B) {
				b.ReportAllocs()
				var bytes, writes uint64
				var elapsed time.Duration
				for b.Loop() {
					start := time.Now()
					n, w, err := send(size, streams)
					if err != nil {
						b.Fatal(err)
					}
					elapsed += time.Since(start)
					bytes, writes = bytes+n, writes+w
				}
				reportSweep(b, bytes, writes, elapsed, streams)
			})
		}
	}
}

// reportSweep reports the rate and, for one stream, the wall time of a
// write: what the cost model fits.
func reportSweep(b *testing.B, bytes, writes uint64, elapsed time.Duration, streams int) {
	b.ReportMetric(float64(bytes)*8/elapsed.Seconds()/1e9, "Gbit/s")
	b.ReportMetric(float64(writes), "writes")
	b.ReportMetric(float64(bytes), "bytes")
	if streams == 1 && writes > 0 {
		b.ReportMetric(float64(elapsed.Nanoseconds())/float64(writes), "ns/write")
	}
}

// plainSend writes size-byte buffers on streams connections to addr for d,
// with TCP_NODELAY as noDelay says, and returns the bytes and writes that
// went out.
func plainSend(addr string, size, streams int, noDelay bool, d time.Duration) (bytes, writes uint64, err error) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make([]error, streams)
	deadline := time.Now().Add(d)
	for i := range streams {
		wg.Go(func() {
			n, w, err := plainStream(addr, size, noDelay, deadline)
			mu.Lock()
			bytes, writes, errs[i] = bytes+n, writes+w, err
			mu.Unlock()
		})
	}
	wg.Wait()
	return bytes, writes, errors.Join(errs...)
}

// plainStream is the loop itself: the write deadline ends it, so the loop
// reads no clock.
func plainStream(addr string, size int, noDelay bool, deadline time.Time) (bytes, writes uint64, err error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close()
	if err := conn.(*net.TCPConn).SetNoDelay(noDelay); err != nil {
		return 0, 0, err
	}
	buf := make([]byte, size)
	binary.BigEndian.PutUint32(buf, uint32(size)) // the sink's read size
	if _, err := conn.Write(buf[:4]); err != nil {
		return 0, 0, err
	}
	if err := conn.SetWriteDeadline(deadline); err != nil {
		return 0, 0, err
	}
	for {
		n, err := conn.Write(buf)
		bytes += uint64(n)
		writes++
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return bytes, writes - 1, nil // the last write was cut short
		}
		if err != nil {
			return bytes, writes, err
		}
	}
}

// goperfServer starts a goperf server process with flags on a free port
// for the benchmark and returns the port.
func goperfServer(b *testing.B, flags ...string) int {
	b.Helper()
	bin, err := goperfBinary()
	if err != nil {
		b.Fatal(err)
	}
	port, err := freePort()
	if err != nil {
		b.Fatal(err)
	}
	args := append([]string{"-s", "-a", "127.0.0.1", "-p", strconv.Itoa(port)}, flags...)
	startProcess(b, exec.Command(bin, args...), "Listening on")
	return port
}

// sinkEnv makes the test binary a sink: see TestMain.
const sinkEnv = "GOPERF_BENCH_SINK"

// sinkServer starts this test binary again as a sink process and returns
// its address.
func sinkServer(b *testing.B) string {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), sinkEnv+"=1")
	line := startProcess(b, cmd, "sink ")
	return strings.TrimPrefix(line, "sink ")
}

// startProcess starts cmd, waits for the line of its output that starts
// with ready, and kills it when the benchmark ends.
func startProcess(b *testing.B, cmd *exec.Cmd, ready string) string {
	b.Helper()
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), ready) {
				lines <- sc.Text()
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case l := <-lines:
		return l
	case <-time.After(10 * time.Second):
		b.Fatalf("%v printed no %q within 10 s", cmd.Args, ready)
		return ""
	}
}

// runSink listens on loopback, prints "sink ADDR", and reads and discards
// what every connection sends, with reads of the size its first four bytes
// give, until killed.
func runSink() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "sink:", err)
		return 1
	}
	fmt.Printf("sink %s\n", ln.Addr())
	for {
		conn, err := ln.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, "sink:", err)
			return 1
		}
		go drain(conn)
	}
}

// drain reads conn to its end.
func drain(conn net.Conn) {
	defer conn.Close()
	var hdr [4]byte
	if _, err := io.ReadFull(conn, hdr[:]); err != nil {
		return
	}
	buf := make([]byte, min(binary.BigEndian.Uint32(hdr[:]), 16<<20))
	for {
		if _, err := conn.Read(buf); err != nil {
			return
		}
	}
}

func TestMain(m *testing.M) {
	if os.Getenv(sinkEnv) != "" {
		os.Exit(runSink())
	}
	os.Exit(m.Run())
}
