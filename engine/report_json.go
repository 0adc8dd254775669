package engine

import (
	"encoding/json"
	"time"
)

// jsonReporter builds iperf3's -J document. In stream mode it writes each
// event as one line instead (--json-stream).
type jsonReporter struct {
	out       Output
	client    bool
	stream    bool
	info      *startInfo
	doc       jsonDoc
	intervals keeper   // what the document keeps of its intervals
	host      hostInfo // the version and system the document names
}

func newJSONReporter(out Output, client, stream bool, host hostInfo) *jsonReporter {
	j := &jsonReporter{out: out, client: client, stream: stream, host: host,
		doc: jsonDoc{Intervals: []jsonInterval{}, End: struct{}{}}}
	if !client {
		j.intervals.limit = maxKeptIntervals // see report_keep.go
	}
	return j
}

// event writes one --json-stream line.
func (j *jsonReporter) event(name string, data any) {
	b, err := json.Marshal(struct {
		Event string `json:"event"`
		Data  any    `json:"data"`
	}{name, data})
	if err == nil {
		b = append(b, '\n')
		_, _ = j.out.W.Write(b) // a broken stdout has nowhere to be reported
	}
}

// write prints the whole document, indented as iperf3 does.
func (j *jsonReporter) write() {
	b, err := json.MarshalIndent(&j.doc, "", "\t")
	if err == nil {
		b = append(b, '\n')
		_, _ = j.out.W.Write(b)
	}
}

func (j *jsonReporter) started(si *startInfo) {
	j.info = si
	j.doc.Start = newJSONStart(si, j.host)
	if j.stream {
		j.event("start", j.doc.Start)
	}
}

func (j *jsonReporter) interval(iv *Interval) {
	ji := newJSONInterval(iv, j.info.spec)
	if j.stream {
		j.event("interval", ji)
		return
	}
	size := 0
	if j.intervals.limit > 0 {
		b, _ := json.Marshal(&ji) // plain data: cannot fail
		size = len(b)
	}
	if !j.intervals.keep(size) {
		j.doc.Goperf = &jsonDocExt{IntervalsDropped: j.intervals.dropped, IntervalsLimit: j.intervals.limit}
		return
	}
	j.doc.Intervals = append(j.doc.Intervals, ji)
}

func (j *jsonReporter) serverOutput(text string, doc json.RawMessage) {
	if j.stream {
		if text != "" {
			j.event("server_output_text", text)
		}
		if len(doc) > 0 {
			j.event("server_output_json", doc)
		}
		return
	}
	j.doc.ServerOutputText, j.doc.ServerOutputJSON = text, doc
}

func (j *jsonReporter) finished(sum *Summary) {
	end := newJSONEnd(sum)
	if j.stream {
		j.event("end", end)
		return
	}
	j.doc.End = end
	j.write()
}

func (j *jsonReporter) failed(err error) {
	if j.stream {
		j.event("error", err.Error())
		return
	}
	if j.doc.Start == nil {
		j.doc.Start = &jsonStart{Connected: []jsonConnected{}, Version: j.host.version, SystemInfo: j.host.system}
	}
	j.doc.Error = err.Error()
	j.doc.End = struct{}{}
	j.write()
}

// document returns the document so far, for a server's server_output_json.
func (j *jsonReporter) document() json.RawMessage {
	b, _ := json.Marshal(&j.doc) // plain data: cannot fail
	return b
}

// jsonDoc is iperf3's -J document.
type jsonDoc struct {
	Start            *jsonStart      `json:"start"`
	Intervals        []jsonInterval  `json:"intervals"`
	End              any             `json:"end"`
	ServerOutputJSON json.RawMessage `json:"server_output_json,omitempty"`
	ServerOutputText string          `json:"server_output_text,omitempty"`
	Error            string          `json:"error,omitempty"`
	Goperf           *jsonDocExt     `json:"goperf,omitempty"`
}

type jsonStart struct {
	Connected          []jsonConnected `json:"connected"`
	Version            string          `json:"version"`
	SystemInfo         string          `json:"system_info"`
	Timestamp          *jsonTimestamp  `json:"timestamp,omitempty"`
	ConnectingTo       *jsonHostPort   `json:"connecting_to,omitempty"`
	AcceptedConnection *jsonHostPort   `json:"accepted_connection,omitempty"`
	Cookie             string          `json:"cookie,omitempty"`
	TCPMSSDefault      *int            `json:"tcp_mss_default,omitempty"`
	TCPMSS             *int            `json:"tcp_mss,omitempty"`
	TargetBitrate      uint64          `json:"target_bitrate"`
	FQRate             uint64          `json:"fq_rate"`
	SockBufsize        int             `json:"sock_bufsize"`
	SndbufActual       int             `json:"sndbuf_actual"`
	RcvbufActual       int             `json:"rcvbuf_actual"`
	TestStart          *jsonTestStart  `json:"test_start,omitempty"`
	Goperf             *jsonStartExt   `json:"goperf,omitempty"`
}

type jsonConnected struct {
	Socket     int    `json:"socket"`
	LocalHost  string `json:"local_host"`
	LocalPort  int    `json:"local_port"`
	RemoteHost string `json:"remote_host"`
	RemotePort int    `json:"remote_port"`
}

type jsonTimestamp struct {
	Time          string `json:"time"`
	TimeSecs      int64  `json:"timesecs"`
	TimeMillisecs int64  `json:"timemillisecs"`
}

type jsonHostPort struct {
	Host string `json:"host"`
	Port int    `json:"port"`
}

type jsonTestStart struct {
	Protocol      string  `json:"protocol"`
	NumStreams    int     `json:"num_streams"`
	Blksize       int     `json:"blksize"`
	Omit          float64 `json:"omit"`
	Duration      float64 `json:"duration"`
	Bytes         uint64  `json:"bytes"`
	Blocks        uint64  `json:"blocks"`
	Reverse       int     `json:"reverse"`
	TOS           int     `json:"tos"`
	TargetBitrate uint64  `json:"target_bitrate"`
	Bidir         int     `json:"bidir"`
	FQRate        uint64  `json:"fqrate"`
	Interval      float64 `json:"interval"`
}

// jsonStartExt is goperf's addition to start: how the streams call the
// kernel, and each stream's socket options, asked and granted.
type jsonStartExt struct {
	IO      string       `json:"io"` // "raw" or "netconn", see IOMode
	Sockets []jsonSocket `json:"sockets"`
}

type jsonSocket struct {
	Socket     int        `json:"socket"`
	ID         int        `json:"id"`
	Asked      jsonSockIO `json:"asked"`
	Granted    jsonSockIO `json:"granted"`
	Congestion string     `json:"congestion,omitempty"`
	NoDelay    bool       `json:"nodelay"`
}

type jsonSockIO struct {
	SendBuffer int `json:"send_buffer"`
	RecvBuffer int `json:"recv_buffer"`
	MSS        int `json:"mss"`
	TOS        int `json:"tos"`
}

func newJSONStart(si *startInfo, host hostInfo) *jsonStart {
	sp := si.spec
	st := &jsonStart{
		Connected:     make([]jsonConnected, 0, len(si.streams)),
		Version:       host.version,
		SystemInfo:    host.system,
		Timestamp:     newJSONTimestamp(si.when),
		Cookie:        si.cookie,
		TargetBitrate: sp.Bitrate,
		FQRate:        sp.FQRate,
		SockBufsize:   sp.Window,
		TestStart:     newJSONTestStart(si),
		Goperf:        &jsonStartExt{Sockets: make([]jsonSocket, 0, len(si.streams))},
	}
	peer := &jsonHostPort{Host: si.peer, Port: si.peerPort}
	if si.client {
		st.ConnectingTo = peer
	} else {
		st.AcceptedConnection = peer
	}
	if sp.Proto == TCP {
		mss := si.ctrlMSS
		if sp.MSS > 0 {
			st.TCPMSS = &mss
		} else {
			st.TCPMSSDefault = &mss
		}
	}
	for _, s := range si.streams {
		st.Connected = append(st.Connected, jsonConnected{s.fd, s.local.host, s.local.port, s.remote.host, s.remote.port})
		st.Goperf.Sockets = append(st.Goperf.Sockets, jsonSocket{
			Socket:     s.fd,
			ID:         s.id,
			Asked:      jsonSockIO{s.asked.SendBuffer, s.asked.RecvBuffer, s.asked.MSS, s.asked.TOS},
			Granted:    jsonSockIO{s.granted.SendBuffer, s.granted.RecvBuffer, s.granted.MSS, s.granted.TOS},
			Congestion: s.granted.Congestion,
			NoDelay:    s.granted.NoDelay,
		})
	}
	if len(si.streams) > 0 {
		st.SndbufActual, st.RcvbufActual = si.streams[0].granted.SendBuffer, si.streams[0].granted.RecvBuffer
		st.Goperf.IO = si.streams[0].path.String()
	}
	return st
}

func newJSONTimestamp(t time.Time) *jsonTimestamp {
	return &jsonTimestamp{
		Time:          t.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT"),
		TimeSecs:      t.Unix(),
		TimeMillisecs: t.UnixMilli(),
	}
}

func newJSONTestStart(si *startInfo) *jsonTestStart {
	sp := si.spec
	ts := &jsonTestStart{
		Protocol:      sp.Proto.String(),
		NumStreams:    sp.Streams,
		Blksize:       sp.Length,
		Omit:          sp.Omit.Seconds(),
		Duration:      sp.Duration.Seconds(),
		Bytes:         sp.Bytes,
		Blocks:        sp.Blocks,
		TOS:           sp.TOS,
		TargetBitrate: sp.Bitrate,
		FQRate:        sp.FQRate,
		Interval:      si.interval.Seconds(),
	}
	if sp.Direction == Reverse {
		ts.Reverse = 1
	}
	if sp.Direction == Bidir {
		ts.Bidir = 1
	}
	return ts
}

// jsonSpan is the part every interval and summary entry shares.
type jsonSpan struct {
	Start         float64 `json:"start"`
	End           float64 `json:"end"`
	Seconds       float64 `json:"seconds"`
	Bytes         uint64  `json:"bytes"`
	BitsPerSecond float64 `json:"bits_per_second"`
}

func newJSONSpan(start, end float64, bytes uint64) jsonSpan {
	sp := jsonSpan{Start: start, End: end, Seconds: end - start, Bytes: bytes}
	if sp.Seconds > 0 {
		sp.BitsPerSecond = float64(bytes) * 8 / sp.Seconds
	}
	return sp
}

type jsonInterval struct {
	Streams         []jsonIntervalStream `json:"streams"`
	Sum             *jsonIntervalSum     `json:"sum,omitempty"`
	SumBidirReverse *jsonIntervalSum     `json:"sum_bidir_reverse,omitempty"`
}

type jsonIntervalStream struct {
	Socket int `json:"socket"`
	jsonSpan
	*jsonTCPSample
	*jsonUDPSent
	*jsonUDPRecv
	Omitted bool `json:"omitted"`
	Sender  bool `json:"sender"`
}

// jsonUDPSent is a UDP sender's count, as iperf3 writes it.
type jsonUDPSent struct {
	Packets uint64 `json:"packets"`
}

// jsonUDPRecv is a UDP receiver's figures, as iperf3 writes them.
type jsonUDPRecv struct {
	JitterMs    float64 `json:"jitter_ms"`
	LostPackets int64   `json:"lost_packets"`
	Packets     uint64  `json:"packets"`
	LostPercent float64 `json:"lost_percent"`
}

// udpJSON renders a UDP interval figure for a sender or a receiver.
func udpJSON(sender bool, u *UDPSample) (*jsonUDPSent, *jsonUDPRecv) {
	if sender {
		return &jsonUDPSent{Packets: u.Packets}, nil
	}
	return nil, &jsonUDPRecv{JitterMs: u.Jitter * 1000, LostPackets: u.Lost, Packets: u.Packets, LostPercent: percent(u.Lost, u.Packets)}
}

type jsonTCPSample struct {
	Retransmits uint64 `json:"retransmits"`
	SndCwnd     uint64 `json:"snd_cwnd"`
	SndWnd      uint64 `json:"snd_wnd"`
	RTT         uint32 `json:"rtt"`
	RTTVar      uint32 `json:"rttvar"`
	PMTU        uint32 `json:"pmtu"`
}

type jsonIntervalSum struct {
	jsonSpan
	Retransmits *uint64 `json:"retransmits,omitempty"`
	*jsonUDPSent
	*jsonUDPRecv
	Omitted bool `json:"omitted"`
	Sender  bool `json:"sender"`
	udp     UDPSample
	n       int
}

func newJSONInterval(iv *Interval, sp *Spec) jsonInterval {
	start, end := iv.Start.Seconds(), iv.End.Seconds()
	ji := jsonInterval{Streams: make([]jsonIntervalStream, len(iv.Streams))}
	sums := map[bool]*jsonIntervalSum{}
	order := []bool{}
	for i, st := range iv.Streams {
		js := jsonIntervalStream{Socket: st.Socket, jsonSpan: newJSONSpan(start, end, st.Bytes), Omitted: iv.Omitted, Sender: st.Sender}
		sum := sums[st.Sender]
		if sum == nil {
			sum = &jsonIntervalSum{Omitted: iv.Omitted, Sender: st.Sender}
			if st.Sender && sp.Proto == TCP {
				sum.Retransmits = new(uint64)
			}
			sums[st.Sender] = sum
			order = append(order, st.Sender)
		}
		sum.Bytes += st.Bytes
		if t := st.TCP; t != nil {
			js.jsonTCPSample = &jsonTCPSample{t.Retransmits, t.SndCwnd, t.SndWnd, t.RTT, t.RTTVar, t.PMTU}
			if sum.Retransmits != nil {
				*sum.Retransmits += t.Retransmits
			}
		}
		if u := st.UDP; u != nil {
			js.jsonUDPSent, js.jsonUDPRecv = udpJSON(st.Sender, u)
			sum.n++
			sum.udp.Packets += u.Packets
			sum.udp.Lost += u.Lost
			sum.udp.Jitter += (u.Jitter - sum.udp.Jitter) / float64(sum.n)
		}
		ji.Streams[i] = js
	}
	for i, dir := range order {
		sum := sums[dir]
		sum.jsonSpan = newJSONSpan(start, end, sum.Bytes)
		if sp.Proto == UDP {
			sum.jsonUDPSent, sum.jsonUDPRecv = udpJSON(dir, &sum.udp)
		}
		if i == 0 {
			ji.Sum = sum
		} else {
			ji.SumBidirReverse = sum
		}
	}
	return ji
}

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
	Sender   *jsonEndSide `json:"sender,omitempty"`
	Receiver *jsonEndSide `json:"receiver,omitempty"`
	UDP      *jsonUDPEnd  `json:"udp,omitempty"`
}

type jsonEndSide struct {
	Socket *int `json:"socket,omitempty"`
	jsonSpan
	Retransmits *int64 `json:"retransmits,omitempty"`
	*jsonTCPStats
	*jsonUDPRecv
	Sender bool `json:"sender"`
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
	Streams []jsonUDPAccount `json:"streams"`
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
		e.Streams[i] = jsonEndStream{Sender: &snd, Receiver: &rcv}
	}
	e.SumSent = newJSONEndSide(nil, sum.Forward.Sender, sum.Forward.Local, tcp)
	e.SumReceived = newJSONEndSide(nil, sum.Forward.Receiver, sum.Forward.Local, false)
	if r := sum.Reverse; r != nil {
		snd := newJSONEndSide(nil, r.Sender, r.Local, tcp)
		rcv := newJSONEndSide(nil, r.Receiver, r.Local, false)
		e.SumSentBidirReverse, e.SumReceivedBidirReverse = &snd, &rcv
	}
	if !tcp {
		e.Sum = newJSONUDPEnd(nil, sum.Forward.Sender, sum.Forward.Receiver, sum.Forward.Local)
		if r := sum.Reverse; r != nil {
			e.SumBidirReverse = newJSONUDPEnd(nil, r.Sender, r.Receiver, r.Local)
		}
		e.Goperf = newJSONEndExt(sum)
	}
	return e
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
	js.jsonTCPStats = &jsonTCPStats{} // zeros when the sender's TCP_INFO is not ours to read
	if t := s.TCP; t != nil {
		js.jsonTCPStats = &jsonTCPStats{t.MaxSndCwnd, t.MaxSndWnd, t.MaxRTT, t.MinRTT, t.MeanRTT}
	}
	return js
}
