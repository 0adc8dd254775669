package echo

import "net"

// receiver collects one connection's echoes in the open loop. Its buffers
// and its bitmap of sequence numbers seen are allocated once.
type receiver struct {
	r     *run
	conn  net.Conn
	t     *tally
	index uint64 // the connection's number
	n     uint64 // messages sent on the connection
	want  []byte // the expected message, restamped per echo
	in    []byte // TCP: one message; UDP: one byte more, so a longer echo shows
	seen  []uint64
	stall idleDeadline // TCP
}

func newReceiver(r *run, conn net.Conn, i int, n uint64) *receiver {
	rc := &receiver{r: r, conn: conn, t: &r.tallies[i], index: uint64(i), n: n,
		want: newMessage(r.m.Size), in: echoBuffer(r.m.Size, r.cfg.Proto), seen: make([]uint64, (n+63)/64)}
	rc.stall = idleDeadline{set: conn.SetReadDeadline, period: r.cfg.StallTimeout}
	return rc
}

// run receives until every message came back; over UDP, until then or
// the lost timeout after the last was sent. It then counts the measured
// messages sent, and the UDP ones lost.
func (rc *receiver) run() error {
	var err error
	if rc.r.cfg.Proto == UDP {
		err = rc.receiveUDP()
	} else {
		err = rc.receiveTCP()
	}
	for seq := range rc.n {
		if rc.r.due(seq*uint64(len(rc.r.conns))+rc.index) >= rc.r.warmEnd {
			rc.t.sent++
		}
	}
	return err
}

func (rc *receiver) receiveTCP() error {
	if err := rc.stall.arm(); err != nil {
		return err
	}
	for got := uint64(0); got < rc.n; got++ {
		if n, err := readFull(rc.conn, rc.in, &rc.stall); err != nil {
			return refusedOr(rc.conn, rc.in[:n], err)
		}
		if got == 0 && isBusy(rc.in) && !matches(rc.in, rc.expect(0)) {
			return refusal(rc.conn, rc.in)
		}
		rc.check(rc.in)
	}
	return nil
}

func (rc *receiver) receiveUDP() error {
	for got := uint64(0); got < rc.n; {
		n, err := rc.conn.Read(rc.in)
		switch {
		case isTimeout(err):
			return nil // the rest is lost
		case err != nil:
			return err
		}
		if rc.check(rc.in[:n]) {
			got++
		}
	}
	return nil
}

// check accounts for one echo; it returns false for a duplicate.
func (rc *receiver) check(echo []byte) bool {
	now := rc.r.since()
	if len(echo) < headerLen || seqOf(echo) >= rc.n {
		rc.t.mismatched++ // no message of ours carries this sequence number
		return true
	}
	seq := seqOf(echo)
	word, bit := seq/64, uint64(1)<<(seq%64)
	if rc.seen[word]&bit != 0 {
		rc.t.late++
		return false
	}
	rc.seen[word] |= bit
	due := rc.r.due(seq*uint64(len(rc.r.conns)) + rc.index)
	measured := due >= rc.r.warmEnd
	switch {
	case !measured:
	case !matches(echo, rc.expect(seq)):
		rc.t.mismatched++
	case rc.r.cfg.Proto == UDP && now-due > rc.r.cfg.LostTimeout:
		rc.t.late++ // counted lost: it came back after the lost timeout
	default:
		rc.t.hist.Record(now - due)
		rc.t.echoed++
		rc.t.last = now
	}
	return true
}

// expect returns the message with sequence number seq on this connection.
func (rc *receiver) expect(seq uint64) []byte {
	stamp(rc.want, seq, rc.r.due(seq*uint64(len(rc.r.conns))+rc.index))
	return rc.want
}
