package engine

import (
	"fmt"

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

// results converts o to the document sent at EXCHANGE_RESULTS.
func (o *outcome) results() *wire.Results {
	r := &wire.Results{
		CPUUtilTotal:         o.cpu.Total,
		CPUUtilUser:          o.cpu.User,
		CPUUtilSystem:        o.cpu.System,
		SenderHasRetransmits: wire.RetransmitsNone,
		CongestionUsed:       o.congestion,
		Streams:              make([]wire.StreamResults, len(o.streams)),
	}
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
	}
	return r
}

// summarize joins the local figures with the peer's results into a Summary.
// A stream id the local side does not have is an error (iperf3's
// IESTREAMID); a local stream the peer left out counts as zero.
func (o *outcome) summarize(remote *wire.Results, client bool) (*Summary, error) {
	byID := make(map[int]*wire.StreamResults, len(remote.Streams))
	for i := range remote.Streams {
		byID[int(remote.Streams[i].ID)] = &remote.Streams[i]
	}
	for id := range byID {
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
	for i, s := range o.streams {
		sum.Streams[i] = o.streamSummary(i, s, byID[s.id], remote.SenderHasRetransmits == wire.RetransmitsKnown)
	}
	sum.Forward, sum.Reverse = o.totals(sum.Streams, client)
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
func (o *outcome) streamSummary(i int, s *stream, remote *wire.StreamResults, remoteRetrans bool) StreamSummary {
	lr := o.local[i]
	local := Side{Seconds: lr.seconds, Bytes: lr.bytes, Retransmits: lr.retrans, TCP: lr.tcp}
	peer := Side{Retransmits: -1}
	if remote != nil {
		peer.Seconds = remote.EndTime - remote.StartTime
		peer.Bytes = uint64(max(remote.Bytes, 0))
		if remoteRetrans && remote.Retransmits >= 0 {
			peer.Retransmits = int64(remote.Retransmits)
		}
	}
	ss := StreamSummary{ID: s.id, Socket: s.fd, Local: s.sender}
	if s.sender {
		ss.Sender, ss.Receiver = local, peer
		ss.Receiver.Retransmits = -1
	} else {
		ss.Sender, ss.Receiver = peer, local
	}
	return ss
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
	for _, ss := range streams {
		t := &forward
		if reverse != nil && ss.Local == reverse.Local {
			t = reverse
		}
		addSide(&t.Sender, ss.Sender)
		addSide(&t.Receiver, ss.Receiver)
	}
	return forward, reverse
}

// newTotals returns empty totals, retransmits unknown.
func newTotals(local bool) Totals {
	return Totals{Local: local, Sender: Side{Retransmits: -1}, Receiver: Side{Retransmits: -1}}
}

// addSide adds one stream's side to a total. Durations are the longest of
// the streams'; retransmits stay -1 unless some stream knows them.
func addSide(t *Side, s Side) {
	t.Bytes += s.Bytes
	t.Seconds = max(t.Seconds, s.Seconds)
	if s.Retransmits >= 0 {
		t.Retransmits = max(t.Retransmits, 0) + s.Retransmits
	}
}
