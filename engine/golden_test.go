package engine

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/goperf/goperf/sockopt"
)

var update = flag.Bool("update", false, "rewrite the golden reports in testdata/golden")

// TestGoldenReports renders fixed tests, start to end, in text and in JSON
// and compares each with its file in testdata/golden. The inputs are
// values (startInfo, Interval, Summary), so the reports are exactly
// reproducible; `go test -run TestGoldenReports -update ./engine/`
// rewrites the files after a deliberate change, which the diff then shows.
func TestGoldenReports(t *testing.T) {
	for _, c := range goldenCases() {
		for _, f := range []struct {
			format Format
			ext    string
		}{{Text, "txt"}, {JSON, "json"}} {
			t.Run(c.name+"."+f.ext, func(t *testing.T) {
				var out bytes.Buffer
				rep := newReporterOn(Output{W: &out, Format: f.format}, true, goldenHost)
				c.play(rep)
				path := filepath.Join("testdata", "golden", c.name+"."+f.ext)
				if *update {
					if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (go test -run TestGoldenReports -update ./engine/ writes it)", err)
				}
				if !bytes.Equal(out.Bytes(), want) {
					t.Errorf("report differs from %s:\n--- got\n%s\n--- want\n%s", path, out.Bytes(), want)
				}
			})
		}
	}
}

// goldenHost stands in for the machine in golden reports.
var goldenHost = hostInfo{version: "goperf 0.0.0-golden", system: "Linux golden 6.0 #1 SMP x86_64"}

// goldenCase is a client's test as its reporter sees it.
type goldenCase struct {
	name      string
	start     *startInfo
	intervals []*Interval
	sum       *Summary // nil: the test fails with err after the intervals
	err       error
}

func (c goldenCase) play(rep reporter) {
	rep.started(c.start)
	for _, iv := range c.intervals {
		rep.interval(iv)
	}
	if c.sum == nil {
		rep.failed(c.err)
		return
	}
	rep.finished(c.sum)
}

// goldenCases: TCP -P 2, -R, --bidir, -T with --extra-data, UDP with
// loss, and a test that fails.
func goldenCases() []goldenCase {
	tcp2 := Spec{Proto: TCP, Streams: 2, Length: 128 << 10, Duration: 2 * time.Second}
	rev := Spec{Proto: TCP, Streams: 1, Direction: Reverse, Length: 128 << 10, Duration: 2 * time.Second}
	bidir := Spec{Proto: TCP, Streams: 1, Direction: Bidir, Length: 128 << 10, Duration: 2 * time.Second}
	titled := Spec{Proto: TCP, Streams: 1, Length: 128 << 10, Duration: 2 * time.Second, Title: "golden", ExtraData: "extra"}
	udp := Spec{Proto: UDP, Streams: 1, Length: 1400, Bitrate: 100e6, Duration: 2 * time.Second}
	return []goldenCase{
		{name: "tcp_P2", start: goldenStart(&tcp2, 2),
			intervals: tcpIntervals([]bool{true, true}), sum: tcpSummary(&tcp2, []bool{true, true})},
		{name: "tcp_R", start: goldenStart(&rev, 1),
			intervals: tcpIntervals([]bool{false}), sum: tcpSummary(&rev, []bool{false})},
		{name: "tcp_bidir", start: goldenStart(&bidir, 2),
			intervals: tcpIntervals([]bool{true, false}), sum: tcpSummary(&bidir, []bool{true, false})},
		{name: "udp_loss", start: goldenStart(&udp, 1), intervals: udpIntervals(), sum: udpSummary()},
		{name: "tcp_title", start: goldenStart(&titled, 1),
			intervals: tcpIntervals([]bool{true}), sum: tcpSummary(&titled, []bool{true})},
		{name: "error", start: goldenStart(&tcp2, 2), intervals: tcpIntervals([]bool{true, true})[:1],
			err: errors.New("control connection closed unexpectedly")},
	}
}

// goldenStart is a client's start on loopback with n streams, ids 1, 3,
// 4, ... on descriptors 5, 6, ...
func goldenStart(sp *Spec, n int) *startInfo {
	si := &startInfo{spec: sp, client: true, peer: "127.0.0.1", peerPort: 5201,
		cookie: "goldengoldengoldengoldengoldengol", when: time.Unix(1764633600, 0),
		ctrlMSS: 32768, interval: time.Second}
	for i := range n {
		id := i + 1
		if i > 0 {
			id = i + 2
		}
		si.streams = append(si.streams, streamStart{id: id, fd: 5 + i,
			local: hostPortPair{"127.0.0.1", 40000 + i}, remote: hostPortPair{"127.0.0.1", 5201},
			asked:   sockopt.Options{},
			granted: sockopt.Granted{SendBuffer: 2626560, RecvBuffer: 131072, MSS: 32741, Congestion: "cubic"},
			path:    pathThread})
	}
	return si
}

// tcpIntervals are two one-second intervals of streams that send where
// sends says, at 40 and 41 Gbit/s each.
func tcpIntervals(sends []bool) []*Interval {
	var ivs []*Interval
	for k := range 2 {
		iv := &Interval{Start: time.Duration(k) * time.Second, End: time.Duration(k+1) * time.Second}
		for i, send := range sends {
			st := IntervalStream{ID: goldenID(i), Socket: 5 + i, Sender: send, Bytes: uint64(5000000000 + 125000000*k)}
			if send {
				st.TCP = &TCPSample{Retransmits: uint64(k), SndCwnd: 1 << 20, SndWnd: 4 << 20, RTT: 40 + uint32(k), RTTVar: 10, PMTU: 65535}
			}
			iv.Streams = append(iv.Streams, st)
		}
		ivs = append(ivs, iv)
	}
	return ivs
}

func goldenID(i int) int {
	if i == 0 {
		return 1
	}
	return i + 2
}

// tcpSummary is the end of tcpIntervals' test: each stream moved both
// intervals' bytes, the receiver to the byte what the sender sent.
func tcpSummary(sp *Spec, sends []bool) *Summary {
	const b = 5000000000 + 5125000000
	side := Side{Seconds: 2, Bytes: b, Retransmits: -1}
	sent := side
	sent.Retransmits = 1
	sent.TCP = &TCPStats{MaxSndCwnd: 1 << 20, MaxSndWnd: 4 << 20, MaxRTT: 41, MinRTT: 40, MeanRTT: 40}
	sum := &Summary{Proto: TCP, LocalCPU: CPUUtil{Total: 61.5, User: 1.5, System: 60},
		RemoteCPU: CPUUtil{Total: 70.25, User: 2.25, System: 68}, SenderCongestion: "cubic", ReceiverCongestion: "cubic"}
	for i, send := range sends {
		sum.Streams = append(sum.Streams, StreamSummary{ID: goldenID(i), Socket: 5 + i, Local: send, Sender: sent, Receiver: side})
	}
	n := uint64(sp.Streams)
	total := func(local bool) Totals {
		t := Totals{Local: local, Sender: sent, Receiver: side}
		t.Sender.Bytes, t.Receiver.Bytes, t.Sender.Retransmits = b*n, b*n, int64(n)
		return t
	}
	sum.Forward = total(sp.Direction != Reverse)
	if sp.Direction == Bidir {
		r := total(false)
		sum.Reverse = &r
	}
	return sum
}

// udpIntervals are two intervals of a 100 Mbit/s sender, seen by the
// client that sends.
func udpIntervals() []*Interval {
	var ivs []*Interval
	for k := range 2 {
		ivs = append(ivs, &Interval{Start: time.Duration(k) * time.Second, End: time.Duration(k+1) * time.Second,
			Streams: []IntervalStream{{ID: 1, Socket: 5, Sender: true, Bytes: 8929 * 1400,
				UDP: &UDPSample{Packets: 8929}}}})
	}
	return ivs
}

// udpSummary: 17858 datagrams sent, 17500 arrived, 358 lost of which the
// receiving socket dropped 100, 3 out of order.
func udpSummary() *Summary {
	sent := Side{Seconds: 2, Bytes: 17858 * 1400, Retransmits: -1,
		UDP: &UDPStats{Packets: 17858, SocketDrops: -1, Syscalls: 560, Batch: 32, GSO: true}}
	got := Side{Seconds: 2.0001, Bytes: 17500 * 1400, Retransmits: -1,
		UDP: &UDPStats{Packets: 17500, Lost: 358, Jitter: 0.000012, OutOfOrder: 3, SocketDrops: 100, Batch: 32, GRO: false}}
	return &Summary{Proto: UDP, Streams: []StreamSummary{{ID: 1, Socket: 5, Local: true, Sender: sent, Receiver: got}},
		Forward:  Totals{Local: true, Sender: sent, Receiver: got},
		LocalCPU: CPUUtil{Total: 12.5, User: 2.5, System: 10}, RemoteCPU: CPUUtil{Total: 9, User: 1, System: 8}}
}
