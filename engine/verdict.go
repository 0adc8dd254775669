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
	verdictStarved  = 25.0 // percent of one CPU per stream: waited for, and as long as used
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
	loopback    bool // no path: see decide
}

// decide names the limit of one direction. The order matters: a reached
// rate explains everything else, loss explains a short UDP rate, a
// slow receiver shows at the sender as a closed window, a sender whose
// CPU was busy all the time explains a short rate (it fills no queue, and
// the few losses it repairs do not hold it back), then a queue the sender
// filled or a loss it repaired names the path. A busy receiver comes only
// after the path: TCP's receiver holds a sender back through its window
// (stalled) or by dropping, and a loaded machine's receiver can be busy
// while the path sets the rate (through a 100 Mbit/s tbf, under the race
// detector beside other suites: used 51%, waited 42%). A CPU that was
// only kept waiting comes last.
func decide(in verdictInput) Verdict {
	for _, rule := range []func(*verdictInput) (Verdict, bool){
		(*verdictInput).paced, (*verdictInput).udpLoss, (*verdictInput).stalled,
		(*verdictInput).busySender, (*verdictInput).path, (*verdictInput).busyCPU, (*verdictInput).starvedCPU,
	} {
		if v, ok := rule(&in); ok {
			return v
		}
	}
	return Verdict{LimitUnknown, fmt.Sprintf("unknown: no measured figure points at a limit (sender CPU %.0f%%, receiver CPU %.0f%%)", in.snd.Total, in.rcv.Total)}
}

// paced names what limited a paced sender: its rate reached, sends that
// blocked, or late wake-ups.
func (in *verdictInput) paced() (Verdict, bool) {
	if in.asked <= 0 {
		return Verdict{}, false
	}
	forfeit := verdictLateness * in.seconds * float64(in.streams)
	switch {
	case in.delivered >= verdictReached*in.asked:
		return Verdict{LimitPacing, fmt.Sprintf("pacing: the asked rate was reached (%s of %s)", rateText(in.delivered), rateText(in.asked))}, true
	case (in.blocked - in.senderWaited()).Seconds() >= forfeit:
		return Verdict{LimitSendBuffer, fmt.Sprintf("send buffer: %s of %s, the sender's sends waited %v on a full socket buffer (a slower path or qdisc pushing back), beyond the %v it waited for a CPU", rateText(in.delivered), rateText(in.asked), in.blocked.Round(time.Millisecond), in.senderWaited().Round(time.Millisecond))}, true
	case in.late.Seconds() >= forfeit:
		return Verdict{LimitTimer, fmt.Sprintf("timer lateness: %s of %s, the sender woke late and forfeited %v of the rate", rateText(in.delivered), rateText(in.asked), in.late.Round(time.Millisecond))}, true
	}
	return Verdict{}, false
}

// senderWaited is how long the sender's threads waited for a CPU over the
// test. A send that took long is not told from one descheduled in the
// middle (a loaded machine, the race detector), so a paced sender's
// blocked time counts only beyond it.
func (in *verdictInput) senderWaited() time.Duration {
	return time.Duration(in.snd.Waited / 100 * in.seconds * float64(time.Second))
}

// udpLoss names datagrams dropped at the receiving socket or on the path.
func (in *verdictInput) udpLoss() (Verdict, bool) {
	u := in.udp
	if u == nil || in.sent == 0 {
		return Verdict{}, false
	}
	if u.SocketDrops > 0 && float64(u.SocketDrops) >= verdictLoss*float64(in.sent) {
		return Verdict{LimitSocketBuffer, fmt.Sprintf("receiver socket buffer: %d of %d datagrams (%.2f%%) dropped at the receiving socket%s", u.SocketDrops, in.sent, 100*float64(u.SocketDrops)/float64(in.sent), about(u.DropsEstimated))}, true
	}
	if pl := u.PathLoss(); pl > 0 && float64(pl) >= verdictLoss*float64(in.sent) {
		return Verdict{LimitPathLoss, fmt.Sprintf("path loss: %d of %d datagrams (%.2f%%) lost on the path", pl, in.sent, 100*float64(pl)/float64(in.sent))}, true
	}
	return Verdict{}, false
}

// stalled names a TCP sender held by the receiver's window (a slow
// receiver's, when it waited for a CPU) or by its own send buffer.
func (in *verdictInput) stalled() (Verdict, bool) {
	l := in.limits
	if !in.hasLimits || l.Busy <= 0 {
		return Verdict{}, false
	}
	rwnd, sndbuf := share(l.RwndLimited, l.Busy), share(l.SndbufLimited, l.Busy)
	switch {
	case rwnd >= verdictStalled && (in.busy(in.rcv) || in.starved(in.rcv)):
		return Verdict{LimitReceiverCPU, fmt.Sprintf("receiver CPU: the receiver's window held the sender %.0f%% of its busy time while the receiver waited for a CPU (%.0f%% of one; it used %.0f%%)", 100*rwnd, in.rcv.Waited, in.rcv.Total)}, true
	case rwnd >= verdictStalled:
		return Verdict{LimitReceiveWindow, fmt.Sprintf("receive window: the receiver's window held the sender %.0f%% of its busy time", 100*rwnd)}, true
	case sndbuf >= verdictStalled:
		return Verdict{LimitSendBuffer, fmt.Sprintf("send buffer: the sender's socket buffer held it %.0f%% of its busy time", 100*sndbuf)}, true
	}
	return Verdict{}, false
}

// path names the path when the sender repaired losses or filled a queue.
// Over loopback there is no path to blame: its retransmits come of
// segments reordered between two CPUs' backlogs (D-SACK counts most as
// spurious) and its RTT is the sockets' own queues.
func (in *verdictInput) path() (Verdict, bool) {
	l := in.limits
	if !in.hasLimits || in.loopback || in.lost() == 0 && (l.MinRTT <= 0 || l.MeanRTT < verdictQueued*l.MinRTT) {
		return Verdict{}, false
	}
	return Verdict{LimitPath, fmt.Sprintf("path: the congestion window held the sender (%s; RTT mean %v against a least of %v)", in.retransmitText(), rttText(l.MeanRTT), rttText(l.MinRTT))}, true
}

// busyCPU names an end that wanted a CPU per stream all the time.
func (in *verdictInput) busyCPU() (Verdict, bool) { return in.cpu(in.busy) }

// busySender is busyCPU when it names the sender.
func (in *verdictInput) busySender() (Verdict, bool) {
	v, ok := in.busyCPU()
	return v, ok && v.Limit == LimitSenderCPU
}

// starvedCPU names an end that was kept waiting for a CPU.
func (in *verdictInput) starvedCPU() (Verdict, bool) { return in.cpu(in.starved) }

// cpu names the end that bound holds for, the receiver first when it
// waited longer than the sender (or for UDP, whose receiver gets no
// window to slow the sender with).
func (in *verdictInput) cpu(bound func(CPUUtil) bool) (Verdict, bool) {
	switch {
	case bound(in.rcv) && (in.udp != nil || in.rcv.Waited > in.snd.Waited):
		return Verdict{LimitReceiverCPU, fmt.Sprintf("receiver CPU: it used %s (the sender: %s)", cpuText(in.rcv, false), cpuText(in.snd, true))}, true
	case bound(in.snd):
		return Verdict{LimitSenderCPU, fmt.Sprintf("sender CPU: it used %s (the receiver: %s)", cpuText(in.snd, false), cpuText(in.rcv, true))}, true
	}
	return Verdict{}, false
}

// cpuText is an end's CPU use for the verdict, short for the other end.
func cpuText(c CPUUtil, short bool) string {
	s := fmt.Sprintf("%.0f%% of one CPU and waited for one %.0f%%", c.Total, c.Waited)
	if short {
		s = fmt.Sprintf("%.0f%%, %.0f%%", c.Total, c.Waited)
	}
	if c.Polled >= 0.5 {
		s += fmt.Sprintf(", %.0f%% of it polling an empty socket", c.Polled)
	}
	return s
}

// busy reports whether a process wanted a CPU per stream all the time:
// what it used and what it waited for one add up to nearly that. Time a
// receiver spent polling an empty socket is not wanted: it had nothing to
// do (CPUUtil.Polled).
func (in *verdictInput) busy(c CPUUtil) bool {
	return c.Total-c.Polled+c.Waited >= verdictBusyCPU*in.cpus()
}

// starved reports whether a process was kept from a CPU: it waited for
// one as long as it ran, and a quarter of the test or more. A receiver
// that sleeps in its reads between bursts wants a CPU less than all the
// time and is still held back when it gets one half the time it asks.
func (in *verdictInput) starved(c CPUUtil) bool {
	return c.Waited >= verdictStarved*in.cpus() && c.Waited >= c.Total
}

// cpus is how many CPUs the test's streams could use at once.
func (in *verdictInput) cpus() float64 {
	return min(float64(in.streams), float64(runtime.NumCPU()))
}

// lost is the retransmits that repaired a loss: those the receiver did
// not report as duplicates.
func (in *verdictInput) lost() int64 {
	return max(in.retransmits-int64(in.limits.Spurious), 0)
}

// retransmitText counts the retransmits, the spurious ones apart.
func (in *verdictInput) retransmitText() string {
	if s := in.limits.Spurious; s > 0 {
		return fmt.Sprintf("%d retransmits, %d of them spurious (D-SACK)", in.retransmits, s)
	}
	return fmt.Sprintf("%d retransmits", in.retransmits)
}

// rttText rounds an RTT for the verdict: to the µs below 100 µs.
func rttText(d time.Duration) time.Duration {
	if d < 100*time.Microsecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(10 * time.Microsecond)
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
// --bidir's reverse. spec is the test's; loopback says its streams ran
// over a loopback address.
func (sum *Summary) verdicts(spec *Spec, loopback bool) []Verdict {
	in := sum.verdictInput(spec, &sum.Forward)
	in.loopback = loopback
	out := []Verdict{decide(in)}
	if sum.Reverse != nil {
		in = sum.verdictInput(spec, sum.Reverse)
		in.loopback = loopback
		out = append(out, decide(in))
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
			in.limits.Spurious += l.Spurious
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
