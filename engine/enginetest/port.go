package enginetest

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"testing"
)

// FreePort returns a port that a TCP listener and a UDP socket on all
// addresses could both bind a moment ago, as a server started with it
// will. It lies below the kernel's ephemeral range: a port the kernel
// handed out as free (port 0) is one it hands out again as the local port
// of the next connection any process makes, and a server that binds it
// after that fails with "address already in use" (seen in CI, where the
// packages' tests run at once).
func FreePort(tb testing.TB) int {
	tb.Helper()
	lo, hi := portsBelowEphemeral()
	for range freePortTries {
		port := lo + rand.IntN(hi-lo)
		if bindable(port) {
			return port
		}
	}
	tb.Fatalf("no port in %d-%d free to TCP and UDP after %d tries", lo, hi-1, freePortTries)
	return 0
}

const freePortTries = 200

// portsBelowEphemeral returns the ports [lo, hi) that FreePort picks
// from: from 10000 to the start of Linux's ephemeral range, 32768 unless
// ip_local_port_range says otherwise (elsewhere it starts at 49152).
func portsBelowEphemeral() (lo, hi int) {
	lo, hi = 10000, 32768
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	var first, last int
	if err == nil {
		if _, err := fmt.Sscan(string(b), &first, &last); err == nil && first > lo+1000 {
			hi = min(first, hi)
		}
	}
	return lo, hi
}

// bindable reports whether a TCP listener and a UDP socket on all
// addresses can take port.
func bindable(port int) bool {
	addr := fmt.Sprintf(":%d", port)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	defer ln.Close()
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		return false
	}
	_ = pc.Close()
	return true
}
