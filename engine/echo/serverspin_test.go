package echo

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/goperf/goperf/engine/output"
	"github.com/goperf/goperf/sockopt"
)

// TestServerSpin runs the server busy-polling (its default) and waiting in
// the network poller (Spin -1), TCP and UDP: it checks which way each
// reads, and that short and long messages, read in pieces larger than the
// server's buffer, all come back against a spinning and a parked client.
func TestServerSpin(t *testing.T) {
	eachProto(t, func(t *testing.T, proto Proto) {
		for name, spin := range map[string]time.Duration{"spinning": 0, "parked": -1} {
			t.Run(name, func(t *testing.T) {
				ts := startServer(t, ServerConfig{Proto: proto, Spin: spin, Buffer: 4096})
				want := sockopt.RawIO && spin >= 0 && runtime.GOMAXPROCS(0) > 1
				if got := serverSpins(t, ts, proto); got != want {
					t.Errorf("server busy-polls: %v, want %v", got, want)
				}
				for _, size := range []int{64, 30000} {
					for _, clientSpin := range []time.Duration{0, -1} {
						m := MeasureConfig{Size: size, Count: 200, Conns: 1, Spin: clientSpin}
						out, _, _ := testOutput(output.JSON)
						sum, err := Measure(context.Background(), ts.client(proto), m, out)
						if err != nil {
							t.Fatalf("size %d, client spin %v: %v", size, clientSpin, err)
						}
						checkSummary(t, sum, &m)
					}
				}
			})
		}
	})
}

// serverSpins tells whether ts's server busy-polls its first connection
// (TCP; a connection to itself stands in) or its socket (UDP).
func serverSpins(t *testing.T, ts *testServer, proto Proto) bool {
	t.Helper()
	if proto == UDP {
		_, ok := ts.udpSocket().(*udpSpinner)
		return ok
	}
	c := dialT(t, "tcp", ts.Addr().String())
	if _, ok := ts.socket(c, runtime.GOMAXPROCS(0)).(*spinConn); ok {
		t.Error("a connection beyond the CPUs busy-polls")
	}
	_, ok := ts.socket(c, 0).(*spinConn)
	return ok
}
