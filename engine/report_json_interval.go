package engine

// The intervals of iperf3's -J document, per stream and summed.

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
	Goperf          *jsonIntervalExt     `json:"goperf,omitempty"`
}

type jsonIntervalStream struct {
	Socket int `json:"socket"`
	jsonSpan
	*jsonTCPSample
	*jsonUDPInterval
	Omitted bool `json:"omitted"`
	Sender  bool `json:"sender"`
}

// jsonUDPInterval is a UDP interval figure as iperf3 writes it: a sender's
// count of datagrams; a receiver's jitter and loss around its count. (One
// struct: encoding/json drops a key that two embedded structs both have.)
type jsonUDPInterval struct {
	JitterMs    *float64 `json:"jitter_ms,omitempty"`
	LostPackets *int64   `json:"lost_packets,omitempty"`
	Packets     uint64   `json:"packets"`
	LostPercent *float64 `json:"lost_percent,omitempty"`
}

// udpJSON renders a UDP interval figure for a sender or a receiver.
func udpJSON(sender bool, u *UDPSample) *jsonUDPInterval {
	if sender {
		return &jsonUDPInterval{Packets: u.Packets}
	}
	jitter, lost, pct := u.Jitter*1000, u.Lost, percent(u.Lost, u.Packets)
	return &jsonUDPInterval{JitterMs: &jitter, LostPackets: &lost, Packets: u.Packets, LostPercent: &pct}
}

type jsonTCPSample struct {
	Retransmits uint64 `json:"retransmits"`
	SndCwnd     uint64 `json:"snd_cwnd"`
	SndWnd      uint64 `json:"snd_wnd"`
	RTT         uint32 `json:"rtt"`
	RTTVar      uint32 `json:"rttvar"`
	PMTU        uint32 `json:"pmtu"`
	Reorder     uint32 `json:"reorder"`
}

type jsonIntervalSum struct {
	jsonSpan
	Retransmits *uint64 `json:"retransmits,omitempty"`
	*jsonUDPInterval
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
			js.jsonTCPSample = &jsonTCPSample{t.Retransmits, t.SndCwnd, t.SndWnd, t.RTT, t.RTTVar, t.PMTU, t.Reorder}
			if sum.Retransmits != nil {
				*sum.Retransmits += t.Retransmits
			}
		}
		if u := st.UDP; u != nil {
			js.jsonUDPInterval = udpJSON(st.Sender, u)
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
			sum.jsonUDPInterval = udpJSON(dir, &sum.udp)
		}
		if i == 0 {
			ji.Sum = sum
		} else {
			ji.SumBidirReverse = sum
		}
	}
	if l := newJSONLatency(iv.Latency); l != nil {
		ji.Goperf = &jsonIntervalExt{Latency: l}
	}
	return ji
}
