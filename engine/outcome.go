package engine

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/goperf/goperf/engine/wire"
)

// outcome is what one side measured in a test: its streams' figures and its
// CPU use, ready to be sent as a results document or summarised.
type outcome struct {
	spec       *Spec
	streams    []*stream
	local      []localResult
	cpu        CPUUtil
	congestion string // TCP congestion control on the data sockets
}

// results converts o to the document sent at EXCHANGE_RESULTS. A server
// has the client's document by then (peer); a UDP receiver uses it to
// report its loss exactly, as sent minus received. A client passes nil.
func (o *outcome) results(peer *wire.Results) *wire.Results {
	r := &wire.Results{
		CPUUtilTotal:         o.cpu.Total,
		CPUUtilUser:          o.cpu.User,
		CPUUtilSystem:        o.cpu.System,
		SenderHasRetransmits: wire.RetransmitsNone,
		CongestionUsed:       o.congestion,
		Streams:              make([]wire.StreamResults, len(o.streams)),
	}
	r.Goperf = &wire.ResultsExt{V: wire.ExtVersion, CPUWaited: o.cpu.Waited, CPUPolled: o.cpu.Polled}
	peerStreams := byID(peer)
	for i, s := range o.streams {
		lr := o.local[i]
		if s.sender && r.SenderHasRetransmits == wire.RetransmitsNone {
			r.SenderHasRetransmits = wire.RetransmitsUnknown
		}
		if s.sender && lr.retrans >= 0 {
			r.SenderHasRetransmits = wire.RetransmitsKnown
		}
		r.Streams[i] = wire.StreamResults{
			ID:          wire.Int(s.id),
			Bytes:       wire.Int(lr.bytes),
			Retransmits: wire.Int(lr.retrans),
			EndTime:     lr.seconds,
		}
		switch {
		case s.udp != nil:
			ext := udpResults(s, lr, &r.Streams[i], peerStreams[s.id])
			ext.PacerLateUs, ext.SendBlockedUs = uint64(s.pacerLate().Microseconds()), uint64(s.sendBlocked().Microseconds())
			r.Goperf.Streams = append(r.Goperf.Streams, ext)
		case o.spec.Omit > 0 || lr.limits != nil || s.pacerLate() > 0:
			ext := wire.StreamExt{ID: s.id, OmittedBytes: lr.omittedBytes, PacerLateUs: uint64(s.pacerLate().Microseconds())}
			if l := lr.limits; l != nil {
				us := func(d time.Duration) uint64 { return uint64(d.Microseconds()) }
				ext.BusyUs, ext.RwndLimitedUs, ext.SndbufLimitedUs = us(l.Busy), us(l.RwndLimited), us(l.SndbufLimited)
				ext.MinRTTUs, ext.MeanRTTUs, ext.DSACKDups = us(l.MinRTT), us(l.MeanRTT), l.Spurious
			}
			r.Goperf.Streams = append(r.Goperf.Streams, ext)
		}
	}
	return r
}

// udpResults fills a UDP stream's iperf3 keys and returns its goperf ones.
func udpResults(s *stream, lr localResult, sr *wire.StreamResults, peer *peerStream) wire.StreamExt {
	u := s.udp
	gso, gro := u.io.Offload()
	ext := wire.StreamExt{ID: s.id, Syscalls: u.io.Syscalls(), Batch: max(len(u.msgs), len(u.bufs)), GSO: gso, GRO: gro}
	if s.sender {
		sr.Packets, sr.OmittedPackets = wire.Int(lr.packets), wire.Int(lr.omitted)
		ext.Sent = u.sent.Load()
		return ext
	}
	a := u.acct
	sr.Bytes = wire.Int(a.bytes)
	sr.Packets, sr.OmittedPackets = wire.Int(a.highest), wire.Int(a.boundary)
	sr.Jitter = a.jitter
	sr.Errors = wire.Int(a.gapErrors + int64(a.late))
	if peer != nil {
		sr.Errors = wire.Int(a.lost(peer.sentTotal()))
	}
	ext.Boundary, ext.Received, ext.Highest = a.boundary, a.received, a.highest
	ext.OutOfOrder, ext.Duplicates, ext.Late = a.outOfOrder, a.duplicates, a.late
	if d, est, ok := u.socketDrops(); ok {
		ext.SocketDrops, ext.DropsEstimated = &d, est
	}
	return ext
}

// peerStream is the peer's results for one stream, with its goperf figures
// when the peer is goperf.
type peerStream struct {
	res *wire.StreamResults
	ext *wire.StreamExt
}

// sentTotal returns the datagrams a UDP sender sent in all.
func (p *peerStream) sentTotal() uint64 {
	if p.ext != nil && p.ext.Sent > 0 {
		return p.ext.Sent
	}
	return uint64(max(p.res.Packets, 0) + max(p.res.OmittedPackets, 0))
}

// byID indexes a results document by stream id.
func byID(r *wire.Results) map[int]*peerStream {
	m := map[int]*peerStream{}
	if r == nil {
		return m
	}
	for i := range r.Streams {
		m[int(r.Streams[i].ID)] = &peerStream{res: &r.Streams[i]}
	}
	if r.Goperf != nil {
		for i := range r.Goperf.Streams {
			if p := m[r.Goperf.Streams[i].ID]; p != nil {
				p.ext = &r.Goperf.Streams[i]
			}
		}
	}
	return m
}

// loopback reports whether every stream's peer is a loopback address.
func (o *outcome) loopback() bool {
	for _, s := range o.streams {
		if s.conn == nil {
			return false
		}
		ap, err := netip.ParseAddrPort(s.conn.RemoteAddr().String())
		if err != nil || !ap.Addr().Unmap().IsLoopback() {
			return false
		}
	}
	return len(o.streams) > 0
}

// summarize joins the local figures with the peer's results into a Summary.
// A stream id the local side does not have is an error (iperf3's
// IESTREAMID); a local stream the peer left out counts as zero.
func (o *outcome) summarize(remote *wire.Results, client bool) (*Summary, error) {
	peer := byID(remote)
	for id := range peer {
		if !o.hasStream(id) {
			return nil, &ProtocolError{Step: "results", Err: fmt.Errorf("peer reports stream %d, which this test does not have", id)}
		}
	}
	sum := &Summary{
		Proto:     o.spec.Proto,
		LocalCPU:  o.cpu,
		RemoteCPU: CPUUtil{Total: remote.CPUUtilTotal, User: remote.CPUUtilUser, System: remote.CPUUtilSystem},
		Streams:   make([]StreamSummary, len(o.streams)),
	}
	if remote.Goperf != nil {
		sum.RemoteCPU.Waited, sum.RemoteCPU.Polled = remote.Goperf.CPUWaited, remote.Goperf.CPUPolled
	}
	for i, s := range o.streams {
		sum.Streams[i] = o.streamSummary(i, s, peer[s.id], remote.SenderHasRetransmits == wire.RetransmitsKnown)
	}
	sum.Forward, sum.Reverse = o.totals(sum.Streams, client)
	sum.Verdicts = sum.verdicts(o.spec, o.loopback())
	sum.SenderCongestion, sum.ReceiverCongestion = o.congestion, remote.CongestionUsed
	if !sum.Forward.Local {
		sum.SenderCongestion, sum.ReceiverCongestion = remote.CongestionUsed, o.congestion
	}
	return sum, nil
}

func (o *outcome) hasStream(id int) bool {
	for _, s := range o.streams {
		if s.id == id {
			return true
		}
	}
	return false
}

// streamSummary puts the local and remote views of stream i side by side.
func (o *outcome) streamSummary(i int, s *stream, remote *peerStream, remoteRetrans bool) StreamSummary {
	lr := o.local[i]
	local := Side{Seconds: lr.seconds, Bytes: lr.bytes, Retransmits: lr.retrans, TCP: lr.tcp, Limits: lr.limits, PacerLate: s.pacerLate(), SendBlocked: s.sendBlocked()}
	peer := Side{Retransmits: -1}
	if remote == nil {
		peer.Unreported, peer.Seconds = true, local.Seconds
	} else {
		peer.Seconds = remote.res.EndTime - remote.res.StartTime
		peer.Bytes = uint64(max(remote.res.Bytes, 0))
		if remoteRetrans && remote.res.Retransmits >= 0 {
			peer.Retransmits = int64(remote.res.Retransmits)
		}
		if e := remote.ext; e != nil {
			peer.Limits = newSenderLimits(e.BusyUs, e.RwndLimitedUs, e.SndbufLimitedUs, e.MinRTTUs, e.MeanRTTUs)
			if peer.Limits != nil {
				peer.Limits.Spurious = e.DSACKDups
			}
			peer.PacerLate = time.Duration(e.PacerLateUs) * time.Microsecond
			peer.SendBlocked = time.Duration(e.SendBlockedUs) * time.Microsecond
		}
	}
	ss := StreamSummary{ID: s.id, Socket: s.fd, Local: s.sender, Path: s.pathOf()}
	if s.file != nil {
		ss.File = &StreamFile{Name: s.file.name, Size: s.file.size()}
	}
	if s.sender {
		ss.Sender, ss.Receiver = local, peer
		ss.Receiver.Retransmits = -1
	} else {
		ss.Sender, ss.Receiver = peer, local
	}
	if s.udp != nil {
		ss.Sender.UDP, ss.Receiver.UDP = udpSides(s, lr, remote)
		if !s.sender {
			ss.Receiver.Bytes = s.udp.acct.bytes
		}
		if remote != nil && (remote.ext != nil || !s.sender) {
			// The sender's datagrams are counted from the receiver's omit
			// boundary (udpSides); its bytes follow them.
			ss.Sender.Bytes = ss.Sender.UDP.Packets * uint64(s.udp.length)
		}
	}
	if s.udp == nil && o.spec.Omit > 0 && remote != nil && remote.ext != nil {
		ss.Sender.Bytes = tcpSentAfterOmit(s.sender, lr, remote)
	}
	return ss
}

// tcpSentAfterOmit counts a TCP sender's bytes from the receiver's omit
// boundary, when the peer is goperf: the sender's total less what the
// receiver took in during the omit period. Each end cuts the omit period
// by its own clock, so the data in flight at the cut would otherwise
// count for one end only; from one boundary, sent equals received
// exactly (a goperf receiver reads to the end of each stream).
func tcpSentAfterOmit(localSends bool, lr localResult, remote *peerStream) uint64 {
	if localSends {
		total := lr.bytes + lr.omittedBytes
		return total - min(remote.ext.OmittedBytes, total)
	}
	total := uint64(max(remote.res.Bytes, 0)) + remote.ext.OmittedBytes
	return total - min(lr.omittedBytes, total)
}

// udpSides accounts for a UDP stream from both ends' figures. When the
// peer is goperf, or the local side receives, the receiver's distinct
// count and the sender's total give the loss exactly: the datagrams sent
// after the receiver's omit boundary that did not arrive. A stock peer's
// receiver reports only its own loss estimate, which is taken as it is.
func udpSides(s *stream, lr localResult, remote *peerStream) (snd, rcv *UDPStats) {
	u := s.udp
	gso, gro := u.io.Offload()
	mine := UDPStats{Syscalls: u.io.Syscalls(), Batch: max(len(u.msgs), len(u.bufs)), GSO: gso, GRO: gro, SocketDrops: -1}
	theirs := UDPStats{SocketDrops: -1}
	if s.sender {
		snd, rcv = &mine, &theirs
		snd.Packets = lr.packets
		total := u.sent.Load()
		switch {
		case remote != nil && remote.ext != nil:
			e := remote.ext
			snd.Packets = total - min(e.Boundary, total)
			rcv.Packets, rcv.Lost = e.Received, snd.Packets-min(e.Received, snd.Packets)
			rcv.OutOfOrder, rcv.Duplicates, rcv.Late = e.OutOfOrder, e.Duplicates, e.Late
			rcv.Syscalls, rcv.Batch, rcv.GSO, rcv.GRO = e.Syscalls, e.Batch, e.GSO, e.GRO
			if e.SocketDrops != nil {
				rcv.SocketDrops, rcv.DropsEstimated = min(*e.SocketDrops, int64(rcv.Lost)), e.DropsEstimated
			}
			rcv.Jitter = remote.res.Jitter
		case remote != nil:
			counted := min(uint64(max(remote.res.Packets, 0)), snd.Packets)
			rcv.Lost = min(uint64(max(remote.res.Errors, 0)), counted)
			rcv.Packets = counted - rcv.Lost
			rcv.Uncounted = snd.Packets - counted
			rcv.Jitter = remote.res.Jitter
		}
		return snd, rcv
	}
	snd, rcv = &theirs, &mine
	a := u.acct
	var total uint64
	if remote != nil {
		total = remote.sentTotal()
	}
	snd.Packets = total - min(a.boundary, total)
	if remote != nil && remote.ext != nil {
		e := remote.ext
		snd.Syscalls, snd.Batch, snd.GSO, snd.GRO = e.Syscalls, e.Batch, e.GSO, e.GRO
	}
	rcv.Packets, rcv.Lost = a.received, a.lost(total)
	rcv.Jitter, rcv.OutOfOrder, rcv.Duplicates, rcv.Late = a.jitter, a.outOfOrder, a.duplicates, a.late
	if d, est, ok := u.socketDrops(); ok {
		rcv.SocketDrops, rcv.DropsEstimated = min(d, int64(rcv.Lost)), est
	}
	return snd, rcv
}

// totals sums the streams by direction. Forward is the test's main
// direction: client to server, or server to client with -R; Reverse is the
// server-to-client half of --bidir.
func (o *outcome) totals(streams []StreamSummary, client bool) (Totals, *Totals) {
	forward := newTotals(client == (o.spec.Direction != Reverse))
	var reverse *Totals
	if o.spec.Direction == Bidir {
		r := newTotals(!client)
		reverse = &r
	}
	n := map[*Totals]int{}
	for _, ss := range streams {
		t := &forward
		if reverse != nil && ss.Local == reverse.Local {
			t = reverse
		}
		addSide(&t.Sender, ss.Sender, n[t])
		addSide(&t.Receiver, ss.Receiver, n[t])
		n[t]++
	}
	return forward, reverse
}

// newTotals returns empty totals, retransmits unknown.
func newTotals(local bool) Totals {
	return Totals{Local: local, Sender: Side{Retransmits: -1}, Receiver: Side{Retransmits: -1}}
}

// addSide adds one stream's side to a total of n streams so far. Durations
// are the longest of the streams'; retransmits stay -1 unless some stream
// knows them; UDP jitter is the streams' mean, as iperf3 reports it.
func addSide(t *Side, s Side, n int) {
	t.Unreported = t.Unreported || s.Unreported
	t.Bytes += s.Bytes
	t.Seconds = max(t.Seconds, s.Seconds)
	if s.Retransmits >= 0 {
		t.Retransmits = max(t.Retransmits, 0) + s.Retransmits
	}
	if s.UDP == nil {
		return
	}
	if t.UDP == nil {
		t.UDP = &UDPStats{SocketDrops: 0}
	}
	u := t.UDP
	u.Packets += s.UDP.Packets
	u.Lost += s.UDP.Lost
	u.Jitter += (s.UDP.Jitter - u.Jitter) / float64(n+1)
	u.OutOfOrder += s.UDP.OutOfOrder
	u.Duplicates += s.UDP.Duplicates
	u.Late += s.UDP.Late
	u.Uncounted += s.UDP.Uncounted
	u.Syscalls += s.UDP.Syscalls
	u.Batch, u.GSO, u.GRO = s.UDP.Batch, s.UDP.GSO, s.UDP.GRO
	u.DropsEstimated = u.DropsEstimated || s.UDP.DropsEstimated
	if s.UDP.SocketDrops < 0 || u.SocketDrops < 0 {
		u.SocketDrops = -1
	} else {
		u.SocketDrops += s.UDP.SocketDrops
	}
}
