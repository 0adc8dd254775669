package echo

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// ErrServerFull reports an echo server at its connection limit; the error
// that wraps it carries the server's line. (goperf's ErrServerBusy is
// another refusal: iperf3's ACCESS_DENIED from a server running a test.)
var ErrServerFull = errors.New("server busy")

// refusal reads the rest of a full server's line, whose start is got, and
// returns it as an error wrapping ErrServerFull.
func refusal(conn net.Conn, got []byte) error {
	_ = conn.SetReadDeadline(time.Now().Add(refuseTimeout))
	rest, _ := bufio.NewReaderSize(conn, 256).ReadString('\n')
	line := strings.TrimSpace(string(got) + rest)
	line = strings.TrimPrefix(line, busyPrefix)
	return fmt.Errorf("%w%s", ErrServerFull, line)
}
