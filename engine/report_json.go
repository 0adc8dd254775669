package engine

import (
	"encoding/json"
	"time"
)

// jsonReporter builds iperf3's -J document. In stream mode it writes each
// event as one line instead (--json-stream).
type jsonReporter struct {
	out    Output
	client bool
	stream bool
	info   *startInfo
	doc    jsonDoc
}

func newJSONReporter(out Output, client, stream bool) *jsonReporter {
	return &jsonReporter{out: out, client: client, stream: stream,
		doc: jsonDoc{Intervals: []jsonInterval{}, End: struct{}{}}}
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
	j.doc.Start = newJSONStart(si)
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
		j.doc.Start = &jsonStart{Connected: []jsonConnected{}, Version: versionString(), SystemInfo: systemInfo()}
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

func newJSONStart(si *startInfo) *jsonStart {
	sp := si.spec
	st := &jsonStart{
		Connected:     make([]jsonConnected, 0, len(si.streams)),
		Version:       versionString(),
		SystemInfo:    systemInfo(),
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
		lh, lp := hostPort(s.conn.LocalAddr())
		rh, rp := hostPort(s.conn.RemoteAddr())
		st.Connected = append(st.Connected, jsonConnected{s.fd, lh, lp, rh, rp})
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
		st.Goperf.IO = si.streams[0].ioPath()
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
	Omitted bool `json:"omitted"`
	Sender  bool `json:"sender"`
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
	Omitted     bool    `json:"omitted"`
	Sender      bool    `json:"sender"`
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
		ji.Streams[i] = js
	}
	for i, dir := range order {
		sum := sums[dir]
		sum.jsonSpan = newJSONSpan(start, end, sum.Bytes)
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
	SumSent                 jsonEndSide     `json:"sum_sent"`
	SumReceived             jsonEndSide     `json:"sum_received"`
	SumSentBidirReverse     *jsonEndSide    `json:"sum_sent_bidir_reverse,omitempty"`
	SumReceivedBidirReverse *jsonEndSide    `json:"sum_received_bidir_reverse,omitempty"`
	CPUUtilizationPercent   jsonCPU         `json:"cpu_utilization_percent"`
	SenderTCPCongestion     string          `json:"sender_tcp_congestion,omitempty"`
	ReceiverTCPCongestion   string          `json:"receiver_tcp_congestion,omitempty"`
}

type jsonEndStream struct {
	Sender   jsonEndSide `json:"sender"`
	Receiver jsonEndSide `json:"receiver"`
}

type jsonEndSide struct {
	Socket *int `json:"socket,omitempty"`
	jsonSpan
	Retransmits *int64 `json:"retransmits,omitempty"`
	*jsonTCPStats
	Sender bool `json:"sender"`
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
		e.Streams[i] = jsonEndStream{
			Sender:   newJSONEndSide(&fd, ss.Sender, ss.Local, tcp),
			Receiver: newJSONEndSide(&fd, ss.Receiver, ss.Local, false),
		}
	}
	e.SumSent = newJSONEndSide(nil, sum.Forward.Sender, sum.Forward.Local, tcp)
	e.SumReceived = newJSONEndSide(nil, sum.Forward.Receiver, sum.Forward.Local, false)
	if r := sum.Reverse; r != nil {
		snd := newJSONEndSide(nil, r.Sender, r.Local, tcp)
		rcv := newJSONEndSide(nil, r.Receiver, r.Local, false)
		e.SumSentBidirReverse, e.SumReceivedBidirReverse = &snd, &rcv
	}
	return e
}

// newJSONEndSide renders one side. TCP senders carry retransmits and the
// TCP_INFO summary; both read 0 when unknown, as iperf3 prints them.
func newJSONEndSide(fd *int, s Side, localSends, tcpSender bool) jsonEndSide {
	js := jsonEndSide{Socket: fd, jsonSpan: newJSONSpan(0, s.Seconds, s.Bytes), Sender: localSends}
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
