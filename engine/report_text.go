package engine

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/goperf/goperf/engine/output"
	"github.com/goperf/goperf/sockopt"
)

// separator divides iperf3's interval blocks and its summary.
const separator = "- - - - - - - - - - - - - - - - - - - - - - - - -"

// Column tails after the bitrate, as iperf3 lays them out.
const (
	blankTail  = "                  "
	omitSuffix = "(omitted)" // iperf3 puts it straight after the tail
)

// textReporter writes iperf3's human tables.
type textReporter struct {
	out        Output
	client     bool
	info       *startInfo
	lastSep    bool   // the last line printed was a separator
	serverText string // --get-server-output: the server's report, printed after the summary
}

func (t *textReporter) printf(format string, args ...any) {
	t.lastSep = false
	fmt.Fprintf(t.out.W, format, args...)
}

// titlePrefix is what iperf3 prints before each line of a test with
// title -T: the title and a colon, or nothing.
func titlePrefix(title string) string {
	if title == "" {
		return ""
	}
	return title + ":  "
}

// separate prints a separator unless one was just printed.
func (t *textReporter) separate() {
	if !t.lastSep {
		t.printf("%s\n", separator)
	}
	t.lastSep = true
}

func (t *textReporter) bidir() bool { return t.info.spec.Direction == Bidir }

// multi reports whether there are several streams per direction, which
// brings [SUM] lines.
func (t *textReporter) multi() bool { return t.info.spec.Streams > 1 }

// tcpSender reports whether the local side sends TCP on some stream, which
// brings the Retr and Cwnd columns.
func (t *textReporter) tcpSender() bool {
	return t.info.spec.Proto == TCP && (t.bidir() || t.client == (t.info.spec.Direction == Forward))
}

func (t *textReporter) started(si *startInfo) {
	t.info = si
	if title := titlePrefix(si.spec.Title); title != "" {
		t.out.W = output.Prefixed(t.out.W, func() string { return title }) // -T: before every line, as iperf3
	}
	for _, s := range si.streams {
		t.printf("[%3d] local %s port %d connected to %s port %d\n", s.fd, s.local.host, s.local.port, s.remote.host, s.remote.port)
	}
	switch {
	case !t.out.Verbose || len(si.streams) == 0:
	case t.out.Iperf3:
		t.iperf3Start(si)
	default:
		t.verboseStart(si)
	}
	if si.interval > 0 {
		t.header(true)
	}
}

// verboseStart prints the test parameters and the socket options asked for
// and granted on the first stream.
func (t *textReporter) verboseStart(si *startInfo) {
	sp := si.spec
	t.printf("Starting Test: protocol: %s, %d streams, %d byte blocks, omitting %v, %s, tos %d, %s I/O\n",
		sp.Proto, sp.Streams, sp.Length, sp.Omit, testLength(sp), sp.TOS, si.streams[0].path.String())
	s := si.streams[0]
	g := s.granted
	t.printf("Socket options (stream %d): send buffer asked %d granted %d, receive buffer asked %d granted %d, MSS asked %d granted %d, nodelay %v, congestion %q, TOS %d\n",
		s.id, s.asked.SendBuffer, g.SendBuffer, s.asked.RecvBuffer, g.RecvBuffer, s.asked.MSS, g.MSS, g.NoDelay, g.Congestion, g.TOS)
}

// iperf3Start is iperf3's -V line before the tables.
func (t *textReporter) iperf3Start(si *startInfo) {
	sp := si.spec
	length := fmt.Sprintf("%d second test", int(sp.Duration.Seconds()))
	switch {
	case sp.Bytes > 0:
		length = fmt.Sprintf("%d bytes to send", sp.Bytes)
	case sp.Blocks > 0:
		length = fmt.Sprintf("%d blocks to send", sp.Blocks)
	}
	t.printf("Starting Test: protocol: %s, %d streams, %d byte blocks, omitting %d seconds, %s, tos %d\n",
		sp.Proto, sp.Streams, sp.Length, int(sp.Omit.Seconds()), length, sp.TOS)
}

// testLength describes how a test ends.
func testLength(sp *Spec) string {
	switch {
	case sp.Bytes > 0:
		return fmt.Sprintf("%d bytes to send", sp.Bytes)
	case sp.Blocks > 0:
		return fmt.Sprintf("%d blocks to send", sp.Blocks)
	}
	return fmt.Sprintf("%v test", sp.Duration)
}

// header prints the column titles of an interval block or of the summary.
func (t *textReporter) header(intervals bool) {
	id := "[ ID]"
	if t.bidir() {
		id = "[ ID][Role]"
	}
	cols := id + " Interval           Transfer     Bitrate"
	switch {
	case t.info.spec.Proto == UDP && intervals && !t.bidir() && t.directions()[0]:
		cols += "         Total Datagrams"
	case t.info.spec.Proto == UDP:
		cols += "         Jitter    Lost/Total Datagrams"
	case t.tcpSender() || (!intervals && (t.client || !t.out.Iperf3)): // iperf3's server: Retr only for its own senders
		cols += "         Retr"
		if intervals {
			cols += "  Cwnd"
		}
	}
	t.printf("%s\n", cols)
}

// label is the bracketed stream or [SUM] label, with the role in bidir.
func (t *textReporter) label(id string, localSends bool) string {
	if t.bidir() {
		return "[" + id + "][" + role(t.client, localSends) + "]"
	}
	return "[" + id + "]"
}

// fdLabel is a stream's label: its descriptor number, as iperf3 shows it.
func fdLabel(fd int) string { return fmt.Sprintf("%3d", fd) }

// line prints one row: label, interval, transfer, bitrate and a tail.
func (t *textReporter) line(label string, start, end float64, bytes uint64, seconds float64, tail string) {
	bps := 0.0
	if seconds > 0 {
		bps = float64(bytes) * 8 / seconds
	}
	t.printf("%s %6.2f-%-6.2f sec  %s  %s%s\n", label, start, end, formatBytes(float64(bytes)), formatRate(bps, t.out.RateUnit), tail)
}

// sideLine prints one side of a summary, or, for a side the peer never
// reported, says so instead of printing a count nobody made.
func (t *textReporter) sideLine(label string, s Side, tail string) {
	if !s.Unreported {
		t.line(label, 0, s.Seconds, s.Bytes, s.Seconds, tail)
		return
	}
	role := tail[strings.LastIndexByte(tail, ' ')+1:]
	t.printf("%s %6.2f-%-6.2f sec  not reported: the test was interrupted  %s\n", label, 0.0, s.Seconds, role)
}

func (t *textReporter) interval(iv *Interval) {
	start, end, secs := iv.Start.Seconds(), iv.End.Seconds(), iv.Seconds()
	suffix := ""
	if iv.Omitted {
		suffix = omitSuffix
	}
	var bytes, retrans [2]uint64 // by direction: [0] receiving, [1] sending
	var udp [2]UDPSample
	for _, st := range iv.Streams {
		tail := blankTail
		switch {
		case st.TCP != nil:
			tail = fmt.Sprintf("  %3d   %s       ", st.TCP.Retransmits, formatBytes(float64(st.TCP.SndCwnd)))
			retrans[b2i(st.Sender)] += st.TCP.Retransmits
		case st.UDP != nil:
			tail = udpIntervalTail(st.Sender, st.UDP)
			addUDPSample(&udp[b2i(st.Sender)], st.UDP, len(iv.Streams))
		}
		t.line(t.label(fdLabel(st.Socket), st.Sender), start, end, st.Bytes, secs, tail+suffix)
		bytes[b2i(st.Sender)] += st.Bytes
	}
	if !t.multi() {
		t.latencyInterval(iv)
		return
	}
	for _, dir := range t.directions() {
		tail := blankTail
		switch {
		case t.info.spec.Proto == UDP:
			tail = udpIntervalTail(dir, &udp[b2i(dir)])
		case dir:
			tail = fmt.Sprintf("  %3d             ", retrans[1])
		}
		t.line(t.label("SUM", dir), start, end, bytes[b2i(dir)], secs, tail+suffix)
	}
	t.latencyInterval(iv)
	t.separate()
}

// udpIntervalTail is iperf3's UDP interval columns: datagrams sent, or
// jitter and lost/total.
func udpIntervalTail(sender bool, u *UDPSample) string {
	if sender {
		return fmt.Sprintf("  %d  ", u.Packets)
	}
	return fmt.Sprintf("  %5.3f ms  %d/%d (%.2g%%)  ", u.Jitter*1000, u.Lost, u.Packets, percent(u.Lost, u.Packets))
}

// addUDPSample adds a stream's interval to a sum of n streams; jitter is
// their mean.
func addUDPSample(sum, u *UDPSample, n int) {
	sum.Packets += u.Packets
	sum.Lost += u.Lost
	sum.Jitter += u.Jitter / float64(n)
}

// percent returns part of whole in percent, 0 for an empty whole.
func percent(part int64, whole uint64) float64 {
	if whole == 0 {
		return 0
	}
	return float64(part) * 100 / float64(whole)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// directions lists the local roles present: true for sending streams,
// false for receiving ones, in iperf3's order.
func (t *textReporter) directions() []bool {
	switch {
	case t.bidir():
		return []bool{true, false}
	case t.client == (t.info.spec.Direction == Forward):
		return []bool{true}
	}
	return []bool{false}
}

// serverOutput keeps the server's report: iperf3 prints it after the
// summary, before Done.
func (t *textReporter) serverOutput(text string, _ json.RawMessage) {
	t.serverText = text
}

// printServerOutput prints the server's report as iperf3 does.
func (t *textReporter) printServerOutput() {
	if t.serverText == "" {
		return
	}
	if !strings.HasSuffix(t.serverText, "\n") {
		t.serverText += "\n"
	}
	t.printf("\nServer output:\n%s\n", t.serverText)
}

func (t *textReporter) finished(sum *Summary) {
	if t.info == nil {
		return
	}
	t.separate()
	if t.out.Iperf3 && t.out.Verbose {
		t.printf("Test Complete. Summary Results:\n")
	}
	t.header(false)
	for _, ss := range sum.Streams {
		label := t.label(fdLabel(ss.Socket), ss.Local)
		t.summaryPair(label, ss.Local, ss.Sender, ss.Receiver)
		if !t.out.Iperf3 && ss.Path.Fast() {
			t.printf("%s goperf: %s\n", label, pathText(&ss.Path))
		}
		if f := ss.File; f != nil {
			t.diskfile(&ss, f)
		}
	}
	for _, dir := range t.directions() {
		tot := &sum.Forward
		if sum.Reverse != nil && sum.Reverse.Local == dir {
			tot = sum.Reverse
		}
		if t.multi() {
			t.summaryPair(t.label("SUM", dir), dir, tot.Sender, tot.Receiver)
		}
	}
	if !t.out.Iperf3 && !sum.Interrupted {
		for i, v := range sum.Verdicts {
			t.printf("%s\n", verdictLine(i, v))
		}
	}
	t.latencySummary(sum.Latency)
	switch {
	case !t.out.Verbose:
	case t.out.Iperf3 && !t.client:
		t.localCongestion(sum) // iperf3's server: no CPU line, its own side's algorithm
	default:
		t.cpu(sum)
	}
	t.printServerOutput()
	if t.client && !sum.Interrupted {
		done := "goperf Done."
		if t.out.Iperf3 {
			done = "iperf Done."
		}
		t.printf("\n%s\n", done)
	}
}

// summaryPair prints a stream's or a sum's sender and receiver rows, and
// for UDP goperf's account of the receiver.
func (t *textReporter) summaryPair(label string, localSends bool, snd, rcv Side) {
	sndTail, rcvTail := blankTail, blankTail
	switch {
	case rcv.UDP != nil && snd.UDP != nil:
		sndTail = udpSummaryTail(0, rcv.UDP.Lost, snd.UDP.Packets)
		rcvTail = udpSummaryTail(rcv.UDP.Jitter, rcv.UDP.Lost, rcv.UDP.Packets+rcv.UDP.Lost)
	case snd.Retransmits >= 0 && strings.HasPrefix(label, "[SUM]"):
		sndTail = fmt.Sprintf("  %3d             ", snd.Retransmits)
	case snd.Retransmits >= 0:
		sndTail = fmt.Sprintf("  %3d            ", snd.Retransmits) // one space fewer than a sum's, as iperf3
	}
	// iperf3's server prints its own side only; with -V it says so of the
	// other for each stream.
	iperf3Server := !t.client && t.out.Iperf3
	switch {
	case !iperf3Server || localSends:
		t.sideLine(label, snd, sndTail+"sender")
	case t.out.Verbose && !strings.HasPrefix(label, "[SUM]"):
		t.printf("%s (sender statistics not available)\n", label)
	}
	switch {
	case !iperf3Server || !localSends:
		t.sideLine(label, rcv, rcvTail+"receiver")
	case t.out.Verbose && !strings.HasPrefix(label, "[SUM]"):
		t.printf("%s (receiver statistics not available)\n", label)
	}
	if rcv.UDP != nil && !snd.Unreported && !rcv.Unreported && !t.out.Iperf3 {
		t.udpAccount(label, snd.UDP, rcv.UDP)
	}
}

// udpSummaryTail is iperf3's UDP summary columns.
func udpSummaryTail(jitter float64, lost, total uint64) string {
	return fmt.Sprintf("  %5.3f ms  %d/%d (%.2g%%)  ", jitter*1000, lost, total, percent(int64(lost), total))
}

// udpAccount prints what iperf3 cannot say about a UDP receiver: where the
// loss happened and what arrived twice or late; with -V also how the
// datagrams were moved.
func (t *textReporter) udpAccount(label string, snd, rcv *UDPStats) {
	where := "unknown split"
	switch {
	case rcv.SocketDrops >= 0 && rcv.DropsEstimated && rcv.Lost > 0:
		where = fmt.Sprintf("about %d by the receiving socket, %d on the path: GRO drops whole buffers; --no-gro at the receiver splits exactly",
			rcv.SocketDrops, rcv.PathLoss())
	case rcv.SocketDrops >= 0:
		where = fmt.Sprintf("%d by the receiving socket, %d on the path", rcv.SocketDrops, rcv.PathLoss())
	}
	uncounted := ""
	if rcv.Uncounted > 0 {
		uncounted = fmt.Sprintf(" + %d the receiver never counted (iperf3 stops at TEST_END)", rcv.Uncounted)
	}
	t.printf("%s goperf: %d sent = %d received + %d lost (%s)%s; %d out of order, %d duplicates, %d late\n",
		label, snd.Packets, rcv.Packets, rcv.Lost, where, uncounted, rcv.OutOfOrder, rcv.Duplicates, rcv.Late)
	if !t.out.Verbose {
		return
	}
	for _, u := range []*UDPStats{snd, rcv} {
		if u.Batch > 0 {
			t.printf("%s goperf: UDP I/O batch %d, GSO %v, GRO %v, %d system calls\n", label, u.Batch, onOff(u.GSO), onOff(u.GRO), u.Syscalls)
		}
	}
}

// diskfile is iperf3's line for a stream's -F file: the local side's
// bytes of the file's size.
func (t *textReporter) diskfile(ss *StreamSummary, f *StreamFile) {
	moved := ss.Sender.Bytes
	pctSent, pctRecv := f.percents(ss.Sender.Bytes, ss.Receiver.Bytes)
	pct := pctSent
	if !ss.Local {
		moved, pct = ss.Receiver.Bytes, pctRecv
	}
	t.printf("        Sent %s / %s (%d%%) of %s\n", formatBytes(float64(moved)), formatBytes(float64(max(f.Size, 0))), pct, f.Name)
}

// pathText says how a stream used the fast paths: where its thread ran,
// what zero copy did, whether the receive copy was skipped.
func pathText(p *StreamPath) string {
	var parts []string
	if p.Allowed != nil {
		parts = append(parts, fmt.Sprintf("thread on CPU %d (placed on %s)", p.CPU, cpuList(p.Allowed)))
	}
	if z := p.ZeroCopy; z != nil {
		parts = append(parts, zeroCopyText(z))
	}
	if p.SkipRxCopy {
		parts = append(parts, "payload discarded by the kernel (--skip-rx-copy)")
	}
	return strings.Join(parts, "; ")
}

// zeroCopyText says what -Z did: how many sends MSG_ZEROCOPY made, how
// many of them the kernel copied after all, and sendfile's.
func zeroCopyText(z *sockopt.ZeroCopyStats) string {
	sendfile := fmt.Sprintf("sendfile, %d sends from the page cache", z.Sends-z.MsgSends)
	if z.MsgSends == 0 {
		return "zero copy by " + sendfile
	}
	msg := fmt.Sprintf("MSG_ZEROCOPY, %d sends: %d completed, %d copied by the kernel, %d pending",
		z.MsgSends, z.Completed, z.Copied, z.Pending)
	if z.Switched {
		return msg + " (a peer on this host: the kernel copies), then " + sendfile
	}
	return msg
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// cpu prints iperf3's verbose CPU line and the congestion controls.
// localCongestion is iperf3's server's -V line for its own side.
func (t *textReporter) localCongestion(sum *Summary) {
	if sum.Forward.Local && sum.SenderCongestion != "" {
		t.printf("snd_tcp_congestion %s\n", sum.SenderCongestion)
	}
	if !sum.Forward.Local && sum.ReceiverCongestion != "" {
		t.printf("rcv_tcp_congestion %s\n", sum.ReceiverCongestion)
	}
}

func (t *textReporter) cpu(sum *Summary) {
	localRole, remoteRole := "sender", "receiver"
	if !sum.Forward.Local {
		localRole, remoteRole = "receiver", "sender"
	}
	l, r := sum.LocalCPU, sum.RemoteCPU
	t.printf("CPU Utilization: local/%s %.1f%% (%.1f%%u/%.1f%%s), remote/%s %.1f%% (%.1f%%u/%.1f%%s)\n",
		localRole, l.Total, l.User, l.System, remoteRole, r.Total, r.User, r.System)
	if sum.SenderCongestion != "" {
		t.printf("snd_tcp_congestion %s\n", sum.SenderCongestion)
	}
	if sum.ReceiverCongestion != "" {
		t.printf("rcv_tcp_congestion %s\n", sum.ReceiverCongestion)
	}
}

// failed prints nothing: the caller reports the error once.
func (t *textReporter) failed(error) {}
