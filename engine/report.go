package engine

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/goperf/goperf/sockopt"
)

// reporter renders one test's events. Calls come one at a time, in order:
// started, any number of interval, then serverOutput and finished, or
// failed at any point.
type reporter interface {
	started(*startInfo)
	interval(*Interval)
	serverOutput(text string, doc json.RawMessage)
	finished(*Summary)
	failed(error)
}

// startInfo is what a report says about a test before data flows: values
// only, so that reporters run on fixed inputs (the golden tests) as on a
// live test.
type startInfo struct {
	spec     *Spec
	client   bool
	peer     string // connecting_to host (client) or accepted_connection host (server)
	peerPort int
	cookie   string
	streams  []streamStart
	when     time.Time
	ctrlMSS  int // MSS of the control connection, iperf3's tcp_mss_default
	interval time.Duration
}

// streamStart is one stream as a report shows it at the start.
type streamStart struct {
	id, fd        int // iperf3's stream id; the descriptor iperf3 prints
	local, remote hostPortPair
	asked         sockopt.Options // options requested for the socket
	granted       sockopt.Granted // options the kernel reports
	path          ioPath
	gso, gro      bool // a UDP stream sends with GSO, receives with GRO
	mptcp         bool // a TCP stream runs Multipath TCP (-m), as the kernel says
}

// hostPortPair is an address split for reports.
type hostPortPair struct {
	host string
	port int
}

// hostInfo is what a JSON report says of the program and the machine.
type hostInfo struct {
	version, system string
}

// thisHost describes this program and machine; as iperf3 (the
// personality) the version reads as iperf3 3.21's and names goperf.
func thisHost(iperf3 bool) hostInfo {
	v := versionString()
	if iperf3 {
		v = "iperf 3.21 (" + v + ")"
	}
	return hostInfo{version: v, system: systemInfo()}
}

// streamStarts takes the start record of each of ss.
func streamStarts(ss []*stream) []streamStart {
	out := make([]streamStart, len(ss))
	for i, s := range ss {
		lh, lp := hostPort(s.conn.LocalAddr())
		rh, rp := hostPort(s.conn.RemoteAddr())
		out[i] = streamStart{id: s.id, fd: s.fd, local: hostPortPair{lh, lp}, remote: hostPortPair{rh, rp},
			asked: s.asked, granted: s.granted, path: s.path}
		out[i].mptcp = s.mptcp
		if s.udp != nil {
			gso, gro := s.udp.io.Offload()
			out[i].gso, out[i].gro = gso && s.sender, gro && !s.sender
		}
	}
	return out
}

// newReporter returns the reporter for out's format.
func newReporter(out Output, client bool) reporter {
	return newReporterOn(out, client, thisHost(out.Iperf3))
}

// newReporterOn is newReporter for a report that names host.
func newReporterOn(out Output, client bool, host hostInfo) reporter {
	switch out.Format {
	case JSON:
		return newJSONReporter(out, client, false, host)
	case JSONStream:
		return newJSONReporter(out, client, true, host)
	}
	return &textReporter{out: out, client: client}
}

// role names who sends on a stream, as iperf3 labels --bidir lines.
func role(client, localSends bool) string {
	switch {
	case client && localSends:
		return "TX-C"
	case client:
		return "RX-C"
	case localSends:
		return "TX-S"
	}
	return "RX-S"
}

// byteUnits and bitUnits are the suffixes of human sizes and rates.
var (
	byteUnits = []string{"Bytes", "KBytes", "MBytes", "GBytes", "TBytes"}
	bitUnits  = []string{"bits/sec", "Kbits/sec", "Mbits/sec", "Gbits/sec", "Tbits/sec"}
)

// formatBytes writes n bytes in binary units, four significant places, as
// iperf3 does ("1.25 GBytes", " 128 KBytes").
func formatBytes(n float64) string {
	return scaled(n, 1024, byteUnits)
}

// formatBits writes a rate in decimal units ("10.7 Gbits/sec").
func formatBits(bps float64) string {
	return scaled(bps, 1000, bitUnits)
}

// formatRate writes a rate as -f asks: unit k, m, g or t gives K, M, G or
// Tbits/sec, K, M, G or T gives KBytes/sec and up (binary, as iperf3's
// byte rates), 0 adapts as formatBits does.
func formatRate(bps float64, unit byte) string {
	i := strings.IndexByte("kmgt", unit|0x20) + 1 // 0 when unit is none of them
	if unit == 0 || i == 0 {
		return formatBits(bps)
	}
	if unit >= 'a' {
		return fixed(bps/math.Pow(1000, float64(i)), bitUnits[i])
	}
	return fixed(bps/8/math.Pow(1024, float64(i)), byteUnits[i]+"/sec")
}

// scaled picks the unit that keeps v under one step and prints it in four
// places: #.##, ##.# or ###.
func scaled(v, step float64, units []string) string {
	i := 0
	for v >= step && i < len(units)-1 {
		v /= step
		i++
	}
	return fixed(v, units[i])
}

// fixed prints v in four places, #.##, ##.# or ###, and its unit.
func fixed(v float64, unit string) string {
	switch {
	case v < 9.995:
		return fmt.Sprintf("%4.2f %s", v, unit)
	case v < 99.95:
		return fmt.Sprintf("%4.1f %s", v, unit)
	}
	return fmt.Sprintf("%4.0f %s", v, unit)
}
