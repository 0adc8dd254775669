package echo

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"time"
)

// refusal reads the rest of a full server's line, whose start is got, and
// returns it as an error wrapping ErrServerBusy.
func refusal(conn net.Conn, got []byte) error {
	_ = conn.SetReadDeadline(time.Now().Add(refuseTimeout))
	rest, _ := bufio.NewReaderSize(conn, 256).ReadString('\n')
	line := strings.TrimSpace(string(got) + rest)
	line = strings.TrimPrefix(line, busyPrefix)
	return fmt.Errorf("%w%s", ErrServerBusy, line)
}
