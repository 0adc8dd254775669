package engine

// The end of iperf3's -J document: per stream and summed, both ends' views,
// CPU, and goperf's UDP account.

import "slices"

type jsonEnd struct {
	Streams                 []jsonEndStream `json:"streams"`
	Sum                     *jsonUDPEnd     `json:"sum,omitempty"` // UDP only
	SumBidirReverse         *jsonUDPEnd     `json:"sum_bidir_reverse,omitempty"`
	SumSent                 jsonEndSide     `json:"sum_sent"`
	SumReceived             jsonEndSide     `json:"sum_received"`
	SumSentBidirReverse     *jsonEndSide    `json:"sum_sent_bidir_reverse,omitempty"`
	SumReceivedBidirReverse *jsonEndSide    `json:"sum_received_bidir_reverse,omitempty"`
	CPUUtilizationPercent   jsonCPU         `json:"cpu_utilization_percent"`
	SenderTCPCongestion     string          `json:"sender_tcp_congestion,omitempty"`
	ReceiverTCPCongestion   string          `json:"receiver_tcp_congestion,omitempty"`
	Goperf                  *jsonEndExt     `json:"goperf,omitempty"`
}

// jsonEndStream is a TCP stream's two sides, or a UDP stream's account.
type jsonEndStream struct {
	Sender   *jsonEndSide  `json:"sender,omitempty"`
	Receiver *jsonEndSide  `json:"receiver,omitempty"`
	UDP      *jsonUDPEnd   `json:"udp,omitempty"`
	Diskfile *jsonDiskfile `json:"diskfile,omitempty"` // -F, as iperf3
}

// jsonDiskfile is iperf3's account of a stream's -F file.
type jsonDiskfile struct {
	Sent            uint64 `json:"sent"`
	Received        uint64 `json:"received"`
	Size            int64  `json:"size"`
	PercentSent     int    `json:"percent_sent"`
	PercentReceived int    `json:"percent_received"`
	Filename        string `json:"filename"`
}

func newJSONDiskfile(ss *StreamSummary) *jsonDiskfile {
	f := ss.File
	if f == nil {
		return nil
	}
	snd, rcv := f.percents(ss.Sender.Bytes, ss.Receiver.Bytes)
	return &jsonDiskfile{ss.Sender.Bytes, ss.Receiver.Bytes, f.Size, snd, rcv, f.Name}
}

type jsonEndSide struct {
	Socket *int `json:"socket,omitempty"`
	jsonSpan
	Retransmits *int64 `json:"retransmits,omitempty"`
	*jsonTCPStats
	*jsonUDPRecv
	Sender bool `json:"sender"`
}

// jsonUDPRecv is a UDP stream's or sum's loss and jitter at the end, as
// iperf3 writes them.
type jsonUDPRecv struct {
	JitterMs    float64 `json:"jitter_ms"`
	LostPackets int64   `json:"lost_packets"`
	Packets     uint64  `json:"packets"`
	LostPercent float64 `json:"lost_percent"`
}

// jsonUDPEnd is iperf3's end-of-test entry for a UDP stream or sum.
type jsonUDPEnd struct {
	Socket *int `json:"socket,omitempty"`
	jsonSpan
	jsonUDPRecv
	OutOfOrder *uint64 `json:"out_of_order,omitempty"`
	Sender     bool    `json:"sender"`
}

// jsonEndExt is goperf's addition to end: each UDP stream's account.
// jsonDocExt says what a server's document left out (report_keep.go).
type jsonDocExt struct {
	IntervalsDropped int `json:"intervals_dropped"`
	IntervalsLimit   int `json:"intervals_limit_bytes"`
}

type jsonEndExt struct {
	Streams []jsonUDPAccount `json:"streams,omitempty"`
	// Interrupted: the test was interrupted and the peer never reported;
	// its sides read 0 bytes, as iperf3 writes them, counted by nobody.
	Interrupted bool `json:"interrupted,omitempty"`
	// Paths: how each stream moved its data, when a fast path (-Z,
	// --skip-rx-copy) or a placement (-A) was in effect.
	Paths []jsonPath `json:"paths,omitempty"`
	// Verdict names what limited the test's main direction;
	// VerdictReverse the reverse one of --bidir.
	Verdict        *jsonVerdict `json:"verdict,omitempty"`
	VerdictReverse *jsonVerdict `json:"verdict_reverse,omitempty"`
	// CPUWaited is what the verdict reads beside cpu_utilization_percent:
	// how long each end's threads were ready to run but waited for a CPU.
	CPUWaited *jsonEnds `json:"cpu_waited_percent,omitempty"`
	// CPUPolled is the part of each end's cpu_utilization_percent that its
	// receivers spent polling an empty socket (--recv-spin), when any did.
	CPUPolled *jsonEnds `json:"cpu_polled_percent,omitempty"`
	// Latency is --latency's account of the test.
	Latency *jsonLatencyReport `json:"latency,omitempty"`
}

// jsonEnds is a CPUUtil figure of both ends (Waited, Polled), in percent
// of one CPU; the remote's is 0 when the peer is not goperf.
type jsonEnds struct {
	Host   float64 `json:"host"`
	Remote float64 `json:"remote"`
}

// jsonVerdict is a Verdict.
type jsonVerdict struct {
	Limit Limit  `json:"limit"`
	Text  string `json:"text"`
}

func newJSONVerdict(v Verdict) *jsonVerdict { return &jsonVerdict{Limit: v.Limit, Text: v.Text} }

// jsonPath is a stream's StreamPath.
type jsonPath struct {
	ID         int           `json:"id"`
	Socket     int           `json:"socket"`
	IO         string        `json:"io"`
	Allowed    []int         `json:"cpus_allowed,omitempty"` // read back after placing
	CPU        *int          `json:"cpu,omitempty"`          // the core it ran on at the end
	ZeroCopy   *jsonZeroCopy `json:"zerocopy,omitempty"`
	SkipRxCopy bool          `json:"skip_rx_copy,omitempty"`
}

// jsonZeroCopy is a zero-copy sender's count. Only MSG_ZEROCOPY's sends
// (msg_sends) have completions; sendfile's have none.
type jsonZeroCopy struct {
	Mode      string `json:"mode"`     // what ran last: "msg" or "sendfile"
	Switched  bool   `json:"switched"` // -Z's auto: MSG_ZEROCOPY copied, so sendfile took over
	Sends     uint64 `json:"sends"`
	MsgSends  uint64 `json:"msg_sends"`
	Completed uint64 `json:"completed"`
	Copied    uint64 `json:"copied"` // completed, but the kernel copied (a local peer)
	Pending   uint64 `json:"pending"`
}

type jsonUDPAccount struct {
	ID          int        `json:"id"`
	Socket      int        `json:"socket"`
	Sent        uint64     `json:"sent"`
	Received    uint64     `json:"received"`
	Lost        uint64     `json:"lost"`
	SocketDrops *int64     `json:"socket_drops"` // null when the kernel did not say
	Estimated   bool       `json:"socket_drops_estimated"`
	PathLoss    *int64     `json:"path_loss"`
	OutOfOrder  uint64     `json:"out_of_order"`
	Duplicates  uint64     `json:"duplicates"`
	Late        uint64     `json:"late"`
	Uncounted   uint64     `json:"uncounted"`   // sent after a stock iperf3 receiver stopped counting
	SenderIO    *jsonUDPIO `json:"sender_io"`   // null when the sender is a stock iperf3
	ReceiverIO  *jsonUDPIO `json:"receiver_io"` // likewise
}

// jsonUDPIO is how one end moved a UDP stream's datagrams.
type jsonUDPIO struct {
	Syscalls uint64 `json:"syscalls"`
	Batch    int    `json:"batch"`
	GSO      bool   `json:"gso"`
	GRO      bool   `json:"gro"`
}

func newJSONUDPIO(u *UDPStats) *jsonUDPIO {
	if u.Batch == 0 {
		return nil
	}
	return &jsonUDPIO{Syscalls: u.Syscalls, Batch: u.Batch, GSO: u.GSO, GRO: u.GRO}
}

type jsonTCPStats struct {
	Reorder    uint32 `json:"reorder"`
	MaxSndCwnd uint64 `json:"max_snd_cwnd"`
	MaxSndWnd  uint64 `json:"max_snd_wnd"`
	MaxRTT     uint32 `json:"max_rtt"`
	MinRTT     uint32 `json:"min_rtt"`
	MeanRTT    uint32 `json:"mean_rtt"`
}

type jsonCPU struct {
	HostTotal    float64 `json:"host_total"`
	HostUser     float64 `json:"host_user"`
	HostSystem   float64 `json:"host_system"`
	RemoteTotal  float64 `json:"remote_total"`
	RemoteUser   float64 `json:"remote_user"`
	RemoteSystem float64 `json:"remote_system"`
}

func newJSONEnd(sum *Summary) *jsonEnd {
	e := &jsonEnd{
		Streams: make([]jsonEndStream, len(sum.Streams)),
		CPUUtilizationPercent: jsonCPU{
			sum.LocalCPU.Total, sum.LocalCPU.User, sum.LocalCPU.System,
			sum.RemoteCPU.Total, sum.RemoteCPU.User, sum.RemoteCPU.System,
		},
		SenderTCPCongestion:   sum.SenderCongestion,
		ReceiverTCPCongestion: sum.ReceiverCongestion,
	}
	tcp := sum.Proto == TCP
	for i, ss := range sum.Streams {
		fd := ss.Socket
		if !tcp {
			e.Streams[i] = jsonEndStream{UDP: newJSONUDPEnd(&fd, ss.Sender, ss.Receiver, ss.Local)}
			continue
		}
		snd, rcv := newJSONEndSide(&fd, ss.Sender, ss.Local, tcp), newJSONEndSide(&fd, ss.Receiver, ss.Local, false)
		e.Streams[i] = jsonEndStream{Sender: &snd, Receiver: &rcv, Diskfile: newJSONDiskfile(&ss)}
	}
	e.SumSent = newJSONEndSide(nil, sum.Forward.Sender, sum.Forward.Local, tcp)
	e.SumReceived = newJSONEndSide(nil, sum.Forward.Receiver, sum.Forward.Local, false)
	if r := sum.Reverse; r != nil {
		snd := newJSONEndSide(nil, r.Sender, r.Local, tcp)
		rcv := newJSONEndSide(nil, r.Receiver, r.Local, false)
		e.SumSentBidirReverse, e.SumReceivedBidirReverse = &snd, &rcv
	}
	if !tcp {
		udpSumRoles(e)
		e.Sum = newJSONUDPEnd(nil, sum.Forward.Sender, sum.Forward.Receiver, sum.Forward.Local)
		if r := sum.Reverse; r != nil {
			e.SumBidirReverse = newJSONUDPEnd(nil, r.Sender, r.Receiver, r.Local)
		}
		e.Goperf = newJSONEndExt(sum)
	}
	ext := func() *jsonEndExt {
		if e.Goperf == nil {
			e.Goperf = &jsonEndExt{}
		}
		return e.Goperf
	}
	if sum.Interrupted {
		ext().Interrupted = true
	}
	if len(sum.Verdicts) > 0 && !sum.Interrupted {
		g := ext()
		g.Verdict = newJSONVerdict(sum.Verdicts[0])
		g.CPUWaited = &jsonEnds{sum.LocalCPU.Waited, sum.RemoteCPU.Waited}
		if sum.LocalCPU.Polled > 0 || sum.RemoteCPU.Polled > 0 {
			g.CPUPolled = &jsonEnds{sum.LocalCPU.Polled, sum.RemoteCPU.Polled}
		}
		if len(sum.Verdicts) > 1 {
			g.VerdictReverse = newJSONVerdict(sum.Verdicts[1])
		}
	}
	if paths := newJSONPaths(sum.Streams); paths != nil {
		ext().Paths = paths
	}
	if sum.Latency != nil {
		ext().Latency = newJSONLatencyReport(sum.Latency)
	}
	return e
}

// newJSONPaths lists how each stream moved its data, when any used a fast
// path or was placed; nil otherwise.
func newJSONPaths(streams []StreamSummary) []jsonPath {
	if !slices.ContainsFunc(streams, func(ss StreamSummary) bool { return ss.Path.Fast() }) {
		return nil
	}
	paths := make([]jsonPath, len(streams))
	for i, ss := range streams {
		p := ss.Path
		paths[i] = jsonPath{ID: ss.ID, Socket: ss.Socket, IO: p.IO, Allowed: p.Allowed, SkipRxCopy: p.SkipRxCopy}
		if p.Allowed != nil {
			cpu := p.CPU
			paths[i].CPU = &cpu
		}
		if z := p.ZeroCopy; z != nil {
			paths[i].ZeroCopy = &jsonZeroCopy{z.Mode.String(), z.Switched, z.Sends, z.MsgSends, z.Completed, z.Copied, z.Pending}
		}
	}
	return paths
}

// udpSumRoles labels a UDP test's sums as iperf3 does, whichever end is
// local: sum_sent (and its bidir reverse) as the sender's, sum_received as
// the receiver's.
func udpSumRoles(e *jsonEnd) {
	e.SumSent.Sender, e.SumReceived.Sender = true, false
	if e.SumSentBidirReverse != nil {
		e.SumSentBidirReverse.Sender, e.SumReceivedBidirReverse.Sender = true, false
	}
}

// newJSONUDPEnd renders a UDP stream or sum as iperf3 does: the local
// side's bytes and time, the sender's datagram count, the receiver's loss
// and jitter.
func newJSONUDPEnd(fd *int, snd, rcv Side, localSends bool) *jsonUDPEnd {
	local := rcv
	if localSends {
		local = snd
	}
	u := &jsonUDPEnd{Socket: fd, jsonSpan: newJSONSpan(0, local.Seconds, local.Bytes), Sender: localSends}
	if snd.UDP != nil && rcv.UDP != nil {
		total := rcv.UDP.Packets + rcv.UDP.Lost
		u.jsonUDPRecv = jsonUDPRecv{JitterMs: rcv.UDP.Jitter * 1000, LostPackets: int64(rcv.UDP.Lost), Packets: total, LostPercent: rcv.UDP.LostPercent()}
		if fd != nil {
			ooo := rcv.UDP.OutOfOrder
			u.OutOfOrder = &ooo
		}
	}
	return u
}

// newJSONEndExt lists each UDP stream's account.
func newJSONEndExt(sum *Summary) *jsonEndExt {
	ext := &jsonEndExt{Streams: make([]jsonUDPAccount, 0, len(sum.Streams))}
	for _, ss := range sum.Streams {
		snd, rcv := ss.Sender.UDP, ss.Receiver.UDP
		if snd == nil || rcv == nil {
			continue
		}
		a := jsonUDPAccount{
			ID: ss.ID, Socket: ss.Socket, Sent: snd.Packets, Received: rcv.Packets, Lost: rcv.Lost,
			OutOfOrder: rcv.OutOfOrder, Duplicates: rcv.Duplicates, Late: rcv.Late, Uncounted: rcv.Uncounted,
			SenderIO: newJSONUDPIO(snd), ReceiverIO: newJSONUDPIO(rcv),
		}
		if rcv.SocketDrops >= 0 {
			drops, path := rcv.SocketDrops, rcv.PathLoss()
			a.SocketDrops, a.PathLoss, a.Estimated = &drops, &path, rcv.DropsEstimated
		}
		ext.Streams = append(ext.Streams, a)
	}
	return ext
}

// newJSONEndSide renders one side. TCP senders carry retransmits and the
// TCP_INFO summary; both read 0 when unknown, as iperf3 prints them. UDP
// sides carry their datagram counts.
func newJSONEndSide(fd *int, s Side, localSends, tcpSender bool) jsonEndSide {
	js := jsonEndSide{Socket: fd, jsonSpan: newJSONSpan(0, s.Seconds, s.Bytes), Sender: localSends}
	if u := s.UDP; u != nil {
		js.jsonUDPRecv = &jsonUDPRecv{JitterMs: u.Jitter * 1000, LostPackets: int64(u.Lost), Packets: u.Packets + u.Lost, LostPercent: u.LostPercent()}
	}
	if !tcpSender {
		return js
	}
	r := max(s.Retransmits, 0)
	js.Retransmits = &r
	if fd == nil {
		return js // a sum: iperf3 sums retransmits only
	}
	js.jsonTCPStats = &jsonTCPStats{} // zeros when the sender's TCP_INFO is not ours to read
	if t := s.TCP; t != nil {
		js.jsonTCPStats = &jsonTCPStats{t.Reorder, t.MaxSndCwnd, t.MaxSndWnd, t.MaxRTT, t.MinRTT, t.MeanRTT}
	}
	return js
}
