package enginetest

import (
	"net"
	"testing"
)

// FreePort returns a loopback TCP port that nothing listened on a moment
// ago.
func FreePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
