package bench

import (
	"fmt"
	"strconv"
	"strings"
)

// iperf2Result reads an iperf 2 client's CSV report (-y C): one line per
// stream, and with some versions a sum line whose stream id is -1. The
// last field is bits per second, the 8th the bytes; iperf 2 reports the
// sender's view only.
func iperf2Result(name string, out []byte, runErr error) (Result, error) {
	var sum, total Result
	haveSum := false
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, ",")
		if len(f) < 9 {
			continue
		}
		bytes, err1 := strconv.ParseUint(f[7], 10, 64)
		bps, err2 := strconv.ParseFloat(f[8], 64)
		if err1 != nil || err2 != nil {
			continue
		}
		r := Result{Sent: bytes, Received: bytes, Gbps: bps / 1e9, SenderGbps: bps / 1e9}
		if f[5] == "-1" {
			sum, haveSum = r, true
			continue
		}
		total.Sent += r.Sent
		total.Received += r.Received
		total.Gbps += r.Gbps
		total.SenderGbps += r.SenderGbps
	}
	if haveSum {
		total = sum
	}
	if total.Sent == 0 {
		if len(out) == 0 { // it says "connect failed" on stderr
			return Result{}, errNotListening
		}
		return Result{}, fmt.Errorf("%s client: no report (%v); output %.200q", name, runErr, out)
	}
	return total, nil
}
