package engine

import (
	"fmt"
	"runtime"
	"time"
)

// Limit names what limited one direction of a test. The set is closed, so
// that scripts and dashboards can match on it.
type Limit string

// The limits a verdict names.
const (
	LimitPacing        Limit = "pacing"          // reached the asked rate
	LimitTimer         Limit = "timer_lateness"  // paced, short, the sender woke late
	LimitSocketBuffer  Limit = "receiver_socket" // UDP: the receiving socket overflowed
	LimitPathLoss      Limit = "path_loss"       // UDP: datagrams lost on the path
	LimitReceiverCPU   Limit = "receiver_cpu"    // the receiver could not keep up
	LimitReceiveWindow Limit = "receive_window"  // TCP: the receiver's window
	LimitSendBuffer    Limit = "send_buffer"     // the sender's socket buffer stayed full
	LimitPath          Limit = "path"            // TCP: the path's bottleneck, through the congestion window
	LimitSenderCPU     Limit = "sender_cpu"      // the sender could not go faster
	LimitUnknown       Limit = "unknown"         // no measured figure points at one
)

// Verdict is what limited one direction of a test, with the figures the
// choice rests on, in one line.
type Verdict struct {
	Limit Limit
	Text  string
}

// Thresholds of the verdict: a share of the test, or of the sender's busy
// time, from which a figure names the limit.
const (
	verdictReached  = 0.98 // delivered/asked: the pacer's rate was reached
	verdictLoss     = 0.001
	verdictStalled  = 0.5  // TCP_INFO's limited time over busy time
	verdictBusyCPU  = 90.0 // percent of one CPU per stream: used and waited for
	verdictQueued   = 4    // mean RTT over the least: the sender filled a queue
	verdictLateness = 0.01 // forfeited time over the test
)

// verdictInput is one direction of a test, as the verdict reads it.
type verdictInput struct {
	streams     int
	seconds     float64
	asked       float64 // bit/s over all streams; 0 unlimited
	delivered   float64 // receiver's bit/s
	snd, rcv    CPUUtil
	udp         *UDPStats // receiver's sum; nil for TCP
	sent        uint64    // UDP datagrams sent
	limits      SenderLimits
	hasLimits   bool
	retransmits int64
	late        time.Duration
	blocked     time.Duration
}

// decide names the limit of one direction. The order matters: a reached
// rate explains everything else, loss explains a short UDP rate, a
// starved receiver shows at the sender as a closed window, and CPU comes
// last because on one machine both ends use it.
func decide(in verdictInput) Verdict {
	if in.asked > 0 && in.delivered >= verdictReached*in.asked {
		return Verdict{LimitPacing, fmt.Sprintf("pacing: the asked rate was reached (%s of %s)", rateText(in.delivered), rateText(in.asked))}
	}
	if in.asked > 0 && in.blocked.Seconds() >= verdictLateness*in.seconds*float64(in.streams) {
		return Verdict{LimitSendBuffer, fmt.Sprintf("send buffer: %s of %s, the sender's sends waited %v on a full socket buffer (a slower path or qdisc pushing back)", rateText(in.delivered), rateText(in.asked), in.blocked.Round(time.Millisecond))}
	}
	if in.asked > 0 && in.late.Seconds() >= verdictLateness*in.seconds*float64(in.streams) {
		return Verdict{LimitTimer, fmt.Sprintf("timer lateness: %s of %s, the sender woke late and forfeited %v of the rate", rateText(in.delivered), rateText(in.asked), in.late.Round(time.Millisecond))}
	}
	if u := in.udp; u != nil && in.sent > 0 {
		if u.SocketDrops > 0 && float64(u.SocketDrops) >= verdictLoss*float64(in.sent) {
			return Verdict{LimitSocketBuffer, fmt.Sprintf("receiver socket buffer: %d of %d datagrams (%.2f%%) dropped at the receiving socket%s", u.SocketDrops, in.sent, 100*float64(u.SocketDrops)/float64(in.sent), about(u.DropsEstimated))}
		}
		if pl := u.PathLoss(); pl > 0 && float64(pl) >= verdictLoss*float64(in.sent) {
			return Verdict{LimitPathLoss, fmt.Sprintf("path loss: %d of %d datagrams (%.2f%%) lost on the path", pl, in.sent, 100*float64(pl)/float64(in.sent))}
		}
	}
	if in.hasLimits && in.limits.Busy > 0 {
		l := in.limits
		rwnd, sndbuf := share(l.RwndLimited, l.Busy), share(l.SndbufLimited, l.Busy)
		switch {
		case rwnd >= verdictStalled && in.cpuBound(in.rcv):
			return Verdict{LimitReceiverCPU, fmt.Sprintf("receiver CPU: the receiver's window held the sender %.0f%% of its busy time while the receiver waited for a CPU (%.0f%% of one; it used %.0f%%)", 100*rwnd, in.rcv.Waited, in.rcv.Total)}
		case rwnd >= verdictStalled:
			return Verdict{LimitReceiveWindow, fmt.Sprintf("receive window: the receiver's window held the sender %.0f%% of its busy time", 100*rwnd)}
		case sndbuf >= verdictStalled:
			return Verdict{LimitSendBuffer, fmt.Sprintf("send buffer: the sender's socket buffer held it %.0f%% of its busy time", 100*sndbuf)}
		}
	}
	switch {
	case in.cpuBound(in.rcv) && (in.udp != nil || in.rcv.Waited > in.snd.Waited):
		return Verdict{LimitReceiverCPU, fmt.Sprintf("receiver CPU: it used %.0f%% of one CPU and waited for one %.0f%% (the sender: %.0f%%, %.0f%%)", in.rcv.Total, in.rcv.Waited, in.snd.Total, in.snd.Waited)}
	case in.cpuBound(in.snd):
		return Verdict{LimitSenderCPU, fmt.Sprintf("sender CPU: it used %.0f%% of one CPU and waited for one %.0f%% (the receiver: %.0f%%, %.0f%%)", in.snd.Total, in.snd.Waited, in.rcv.Total, in.rcv.Waited)}
	}
	if l := in.limits; in.hasLimits && (in.retransmits > 0 || l.MeanRTT >= verdictQueued*l.MinRTT && l.MinRTT > 0) {
		return Verdict{LimitPath, fmt.Sprintf("path: the congestion window held the sender (%d retransmits; RTT mean %v against a least of %v)", in.retransmits, l.MeanRTT.Round(10*time.Microsecond), l.MinRTT.Round(10*time.Microsecond))}
	}
	return Verdict{LimitUnknown, fmt.Sprintf("unknown: no measured figure points at a limit (sender CPU %.0f%%, receiver CPU %.0f%%)", in.snd.Total, in.rcv.Total)}
}

// cpuBound reports whether a process wanted a CPU per stream all the
// time: what it used and what it waited for one add up to nearly that.
func (in *verdictInput) cpuBound(c CPUUtil) bool {
	return c.Total+c.Waited >= verdictBusyCPU*min(float64(in.streams), float64(runtime.NumCPU()))
}

// share is part over whole, 0 for no whole.
func share(part, whole time.Duration) float64 {
	if whole <= 0 {
		return 0
	}
	return float64(part) / float64(whole)
}

// about marks an estimated count.
func about(estimated bool) string {
	if estimated {
		return ", about (GRO)"
	}
	return ""
}

// verdicts names the limit of each direction of sum: the main one, then
// --bidir's reverse. spec is the test's.
func (sum *Summary) verdicts(spec *Spec) []Verdict {
	out := []Verdict{decide(sum.verdictInput(spec, &sum.Forward))}
	if sum.Reverse != nil {
		out = append(out, decide(sum.verdictInput(spec, sum.Reverse)))
	}
	return out
}

// verdictInput gathers one direction's figures.
func (sum *Summary) verdictInput(spec *Spec, t *Totals) verdictInput {
	in := verdictInput{asked: float64(spec.Bitrate), delivered: t.Receiver.BitsPerSecond(), seconds: t.Receiver.Seconds,
		snd: sum.RemoteCPU, rcv: sum.LocalCPU}
	if t.Local {
		in.snd, in.rcv = sum.LocalCPU, sum.RemoteCPU
	}
	for i := range sum.Streams {
		ss := &sum.Streams[i]
		if ss.Local != t.Local {
			continue
		}
		in.streams++
		in.late += ss.Sender.PacerLate
		in.blocked += ss.Sender.SendBlocked
		in.retransmits += max(ss.Sender.Retransmits, 0)
		if l := ss.Sender.Limits; l != nil {
			in.hasLimits = true
			in.limits.Busy += l.Busy
			in.limits.RwndLimited += l.RwndLimited
			in.limits.SndbufLimited += l.SndbufLimited
			in.limits.MinRTT = max(in.limits.MinRTT, l.MinRTT)
			in.limits.MeanRTT = max(in.limits.MeanRTT, l.MeanRTT)
		}
	}
	in.asked *= float64(in.streams)
	if u := t.Receiver.UDP; u != nil {
		in.udp = u
		in.sent = u.Packets + u.Lost
	}
	return in
}

// verdictLine is the text report's line for verdict i: the main
// direction's, then --bidir's reverse.
func verdictLine(i int, v Verdict) string {
	if i == 0 {
		return "Limited by " + v.Text
	}
	return "Reverse limited by " + v.Text
}
