package engine

import (
	"time"

	"github.com/goperf/goperf/sockopt"
)

// Interval is one interval report: what each stream moved between Start and
// End, measured from the start of the test, or from the end of the omit
// period once it is over.
type Interval struct {
	Start, End time.Duration
	Omitted    bool // inside the omit period (-O); left out of the results
	Streams    []IntervalStream
	// Latency is the round trips of the interval with --latency, nil
	// without it or when nothing measures them.
	Latency *Latency
}

// IntervalStream is one stream's share of an Interval, from the local side.
type IntervalStream struct {
	ID     int  // iperf3's stream id
	Socket int  // local descriptor number
	Sender bool // the local side sends on this stream
	Bytes  uint64
	TCP    *TCPSample // TCP senders on Linux; nil otherwise
	UDP    *UDPSample // UDP streams; nil otherwise
}

// UDPSample is a UDP stream's interval figures, as iperf3 reports them.
type UDPSample struct {
	Packets uint64  // sender: datagrams sent; receiver: sequence numbers covered
	Lost    int64   // receiver: gaps in the sequence numbers, less late arrivals
	Jitter  float64 // receiver: seconds, at the end of the interval
}

// TCPSample is a TCP_INFO reading at the end of an interval.
type TCPSample struct {
	Retransmits uint64 // during the interval
	SndCwnd     uint64 // bytes
	SndWnd      uint64 // bytes
	RTT         uint32 // µs
	RTTVar      uint32 // µs
	PMTU        uint32 // bytes
	Reorder     uint32 // reordering events seen since the stream began (iperf3's reorder)
}

// Seconds returns the interval's length in seconds.
func (iv *Interval) Seconds() float64 { return (iv.End - iv.Start).Seconds() }

// Side is one end's view of a stream, or a sum of streams: what the sender
// sent or what the receiver received, over how long.
type Side struct {
	Seconds     float64 // from the stream's start to the end of the test
	Bytes       uint64
	Retransmits int64 // TCP sender with counts; -1 when unknown
	TCP         *TCPStats
	// Limits is what limited a TCP sender, from its kernel's TCP_INFO at
	// the end (either end, when both are goperf); nil when unknown.
	Limits *SenderLimits
	// PacerLate is the time a paced sender's pacer forfeited because the
	// sender woke later than its bucket could cover (pacer.late).
	PacerLate time.Duration
	// SendBlocked is the time a paced UDP sender's sends waited on a full
	// socket buffer (udpStream.blocked).
	SendBlocked time.Duration
	UDP         *UDPStats
	// Unreported: the peer never reported this side (the test was
	// interrupted); Bytes are 0, not counted, and Seconds are the local
	// side's.
	Unreported bool
}

// UDPStats is a UDP stream's account, or a sum. On the sender's side
// Packets is what it sent; on the receiver's side Packets is what arrived,
// counted once each, and Packets + Lost equals the sender's Packets.
type UDPStats struct {
	Packets    uint64
	Lost       uint64
	Jitter     float64 // seconds
	OutOfOrder uint64
	Duplicates uint64
	Late       uint64 // arrived too late to tell from a duplicate; part of Lost
	// Uncounted is what a stock iperf3 receiver never counted: datagrams
	// that arrived after it stopped counting at TEST_END. Sent = Packets +
	// Lost + Uncounted; with a goperf receiver it is always 0.
	Uncounted uint64
	// SocketDrops is the part of Lost the receiving socket dropped for
	// lack of buffer (SO_RXQ_OVFL); the rest was lost on the path. -1 when
	// the kernel did not say.
	SocketDrops int64
	// DropsEstimated: the kernel counted dropped GRO buffers, not
	// datagrams, and SocketDrops is scaled by the datagrams per buffer.
	DropsEstimated bool
	Syscalls       uint64 // local side only: system calls made for the stream
	Batch          int
	GSO, GRO       bool
}

// LostPercent returns the share of datagrams lost, in percent.
func (u *UDPStats) LostPercent() float64 {
	total := u.Packets + u.Lost
	if total == 0 {
		return 0
	}
	return float64(u.Lost) * 100 / float64(total)
}

// PathLoss returns the datagrams lost on the path, when the socket's own
// drops are known, else -1.
func (u *UDPStats) PathLoss() int64 {
	if u.SocketDrops < 0 {
		return -1
	}
	return max(int64(u.Lost)-u.SocketDrops, 0)
}

// TCPStats summarises a TCP sender's TCP_INFO samples over the test.
type TCPStats struct {
	MaxSndCwnd, MaxSndWnd uint64 // bytes
	MaxRTT, MinRTT        uint32 // µs
	MeanRTT               uint32 // µs
	Reorder               uint32 // reordering events seen, at the last sample
}

// SenderLimits is a TCP sender's time with data in flight and the parts of
// it stalled on the receiver's window and on the send buffer, over the
// connection's life (TCP_INFO's tcpi_busy_time, tcpi_rwnd_limited,
// tcpi_sndbuf_limited).
// MinRTT is the least RTT the kernel saw (tcpi_min_rtt), MeanRTT the
// smoothed RTT's mean over the test's samples: a mean far above the least
// is a queue that the sender filled. Spurious counts the retransmits the
// receiver reported as duplicates (D-SACK, tcpi_dsack_dups): resent for
// reordering, not for loss.
type SenderLimits struct {
	Busy, RwndLimited, SndbufLimited time.Duration
	MinRTT, MeanRTT                  time.Duration
	Spurious                         uint64
}

// limitsOf reads a TCP_INFO sample's limits, with the mean RTT of stats
// (nil: none sampled); nil when the kernel has no limits.
func limitsOf(ti sockopt.TCPInfo, stats *TCPStats) *SenderLimits {
	minRTT, meanRTT := uint64(ti.MinRTT), uint64(0) // the kernel's least, from the handshake on
	if stats != nil {
		meanRTT = uint64(stats.MeanRTT)
	}
	l := newSenderLimits(ti.Busy, ti.RwndLimited, ti.SndbufLimited, minRTT, meanRTT)
	if l != nil {
		l.Spurious = uint64(ti.DSACKDups)
	}
	return l
}

// newSenderLimits makes limits of times in µs; nil when busy is 0, as from
// a kernel without them.
func newSenderLimits(busy, rwnd, sndbuf, minRTT, meanRTT uint64) *SenderLimits {
	if busy == 0 {
		return nil
	}
	us := func(v uint64) time.Duration { return time.Duration(v) * time.Microsecond }
	return &SenderLimits{Busy: us(busy), RwndLimited: us(rwnd), SndbufLimited: us(sndbuf), MinRTT: us(minRTT), MeanRTT: us(meanRTT)}
}

// BitsPerSecond returns the side's mean rate.
func (s Side) BitsPerSecond() float64 {
	if s.Seconds <= 0 {
		return 0
	}
	return float64(s.Bytes) * 8 / s.Seconds
}

// StreamSummary is one stream as both ends saw it.
type StreamSummary struct {
	ID       int
	Socket   int  // local descriptor number
	Local    bool // the local side sends on this stream (iperf3's "sender")
	Sender   Side // the sending end's figures
	Receiver Side // the receiving end's figures
	Path     StreamPath
	File     *StreamFile // -F on the local end; nil without
}

// StreamFile is the file a stream's data came from or went to (-F).
type StreamFile struct {
	Name string
	Size int64 // bytes; for a receiver, what it wrote; -1 unknown
}

// percents are iperf3's shares of the file sent and received, in whole
// percent (a file of no bytes counts as all moved).
func (f *StreamFile) percents(sent, received uint64) (int, int) {
	if f.Size <= 0 {
		return 100, 100
	}
	return int(float64(sent) / float64(f.Size) * 100), int(float64(received) / float64(f.Size) * 100)
}

// StreamPath is how the local end moved a stream's data: the I/O path and
// the fast paths, as the kernel reported them.
type StreamPath struct {
	IO string // "thread", "raw" or "netconn"
	// Allowed is the cores the stream's thread was placed on, read back
	// from the kernel, and CPU the core it ran on when the stream ended;
	// nil and -1 when the stream was not placed.
	Allowed []int
	CPU     int
	// ZeroCopy is a zero-copy sender's count of sends and completions;
	// nil when the stream copied.
	ZeroCopy *sockopt.ZeroCopyStats
	// SkipRxCopy: the receiver let the kernel discard the payload.
	SkipRxCopy bool
}

// Fast reports whether the stream used a fast path or was placed.
func (p *StreamPath) Fast() bool { return p.ZeroCopy != nil || p.SkipRxCopy || p.Allowed != nil }

// Totals sums the streams of one direction.
type Totals struct {
	Local    bool // the local side sends in this direction
	Sender   Side
	Receiver Side
}

// CPUUtil is a process's CPU use during the test, in percent of one CPU.
// Waited is the time its threads were ready to run but waited for a CPU
// (the scheduler's run delay, Linux's schedstat), in the same unit; 0 where
// unknown. A process that waited much did not get the CPU it asked for.
//
// Polled is the part of Total that receiving streams spent polling an
// empty socket before they slept (ClientConfig.RecvSpin): CPU used by
// choice, which a receiver short of CPU would not spend.
type CPUUtil struct {
	Total, User, System float64
	Waited              float64
	Polled              float64
}

// Summary is the result of a test, with both ends' views.
type Summary struct {
	Proto   Proto
	Streams []StreamSummary
	// Forward sums the streams of the test's main direction: client to
	// server, or server to client with -R (iperf3's sum_sent and
	// sum_received). Reverse sums the server-to-client streams of --bidir.
	Forward Totals
	Reverse *Totals
	// LocalCPU and RemoteCPU are each process's CPU use during the test.
	LocalCPU, RemoteCPU CPUUtil
	// SenderCongestion and ReceiverCongestion name each end's TCP
	// congestion control, when known.
	SenderCongestion, ReceiverCongestion string
	// Interrupted: the client was interrupted (a signal) and the summary
	// holds its own side only; the peer's sides are Unreported.
	Interrupted bool
	// Verdicts name what limited the main direction and, with --bidir,
	// the reverse one (verdict.go); none for an interrupted test.
	Verdicts []Verdict
	// Latency is the test's latency under load with --latency, nil
	// without it.
	Latency *LatencyReport
}
