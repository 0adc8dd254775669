package engine

import "time"

// Interval is one interval report: what each stream moved between Start and
// End, measured from the start of the test, or from the end of the omit
// period once it is over.
type Interval struct {
	Start, End time.Duration
	Omitted    bool // inside the omit period (-O); left out of the results
	Streams    []IntervalStream
}

// IntervalStream is one stream's share of an Interval, from the local side.
type IntervalStream struct {
	ID     int  // iperf3's stream id
	Socket int  // local descriptor number
	Sender bool // the local side sends on this stream
	Bytes  uint64
	TCP    *TCPSample // TCP senders on Linux; nil otherwise
}

// TCPSample is a TCP_INFO reading at the end of an interval.
type TCPSample struct {
	Retransmits uint64 // during the interval
	SndCwnd     uint64 // bytes
	SndWnd      uint64 // bytes
	RTT         uint32 // µs
	RTTVar      uint32 // µs
	PMTU        uint32 // bytes
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
}

// TCPStats summarises a TCP sender's TCP_INFO samples over the test.
type TCPStats struct {
	MaxSndCwnd, MaxSndWnd uint64 // bytes
	MaxRTT, MinRTT        uint32 // µs
	MeanRTT               uint32 // µs
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
}

// Totals sums the streams of one direction.
type Totals struct {
	Local    bool // the local side sends in this direction
	Sender   Side
	Receiver Side
}

// CPUUtil is a process's CPU use during the test, in percent of one CPU.
type CPUUtil struct {
	Total, User, System float64
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
}
