package echo

import (
	"io"
	"runtime"
	"time"
)

// tcpGrace bounds a TCP read beyond the end of the run: an echo server
// that stops answering fails the connection rather than hanging it.
const tcpGrace = 10 * time.Second

// closedLoop sends a message, waits for its echo, and repeats.
func (w *worker) closedLoop(ck *clock) {
	var measured uint64
	for seq := uint64(1); ; seq++ {
		t := ck.now()
		if ck.done(t, measured) {
			return
		}
		stamp(w.out, seq, t)
		if _, err := w.conn.Write(w.out); err != nil {
			w.fail(err)
			return
		}
		ok, err := w.awaitEcho(ck, seq, t)
		if err != nil {
			w.fail(err)
			return
		}
		if t < ck.warm {
			continue
		}
		w.Sent++
		measured++
		if !ok {
			w.Lost++
			continue
		}
		w.Received++
		w.hist.Record(ck.now() - t)
		if !intact(w.in[:len(w.out)], w.out) {
			w.Mismatched++
		}
	}
}

// awaitEcho reads the echo of seq, sent at t. Over UDP it skips late
// echoes of earlier messages and reports false when none comes within the
// timeout.
func (w *worker) awaitEcho(ck *clock, seq uint64, t time.Duration) (bool, error) {
	if !w.udp {
		if seq%256 == 1 {
			_ = w.conn.SetReadDeadline(time.Now().Add(tcpGrace))
		}
		_, err := io.ReadFull(w.conn, w.in[:len(w.out)])
		return err == nil, err
	}
	_ = w.conn.SetReadDeadline(ck.start.Add(t + ck.expire))
	for {
		n, err := w.conn.Read(w.in)
		if isTimeout(err) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if got, _ := header(w.in[:n]); n >= headerLen && got == seq {
			if n != len(w.out) {
				w.Mismatched++
			}
			return true, nil
		}
		w.Late++
	}
}

// fail records a connection's end by error, unless the run had ended.
func (w *worker) fail(err error) {
	w.Errors++
	w.err = err
}

// openLoop sends at the clock's rate from one goroutine and reads echoes
// in this one; each round trip counts from the message's intended send
// time, so a stall on either side shows in the latencies.
func (w *worker) openLoop(ck *clock) {
	interval := time.Duration(float64(time.Second) / ck.rate)
	sent := make(chan uint64, 1) // the sender's total, once it is done
	go func() { sent <- w.sendPaced(ck, interval) }()
	total, sending := uint64(0), true
	for {
		if !sending && w.Received+w.Lost >= total {
			break
		}
		n, err := w.readOne()
		if err != nil && !isTimeout(err) {
			w.fail(err)
			w.Sent = <-sent
			return
		}
		if err == nil {
			w.takeEcho(ck, n)
		}
		select {
		case total = <-sent:
			sending = false
			_ = w.conn.SetReadDeadline(time.Now().Add(ck.expire))
		default:
		}
		if !sending && isTimeout(err) {
			w.Lost += total - min(total, w.Received+w.Lost)
			break
		}
	}
	w.Sent = total
}

// readOne reads one echo: a datagram, or a message's worth of the stream.
func (w *worker) readOne() (int, error) {
	if w.udp {
		return w.conn.Read(w.in)
	}
	return io.ReadFull(w.conn, w.in[:len(w.out)])
}

// takeEcho accounts for one echo of n bytes.
func (w *worker) takeEcho(ck *clock, n int) {
	if n < headerLen {
		w.Mismatched++
		return
	}
	_, t := header(w.in[:n])
	if t < ck.warm {
		return
	}
	w.Received++
	w.hist.Record(ck.now() - t)
	if !intact(w.in[:n], w.out) {
		w.Mismatched++
	}
}

// sendPaced sends messages at their intended times and returns how many
// it sent after the warm-up.
func (w *worker) sendPaced(ck *clock, interval time.Duration) uint64 {
	var counted uint64
	for seq := uint64(1); ; seq++ {
		due := time.Duration(seq-1) * interval
		if ck.done(due, counted) {
			// Wake the reader for the last echoes' timeout.
			_ = w.conn.SetReadDeadline(time.Now().Add(ck.expire))
			return counted
		}
		waitUntil(ck, due)
		stamp(w.out, seq, due)
		if _, err := w.conn.Write(w.out); err != nil {
			_ = w.conn.SetReadDeadline(time.Unix(1, 0))
			return counted
		}
		if due >= ck.warm {
			counted++
		}
	}
}

// spinWindow is how close to a send time the sender stops sleeping and
// yields in a loop instead: timers wake tens of microseconds late, and in
// open loop that lateness would count as latency.
const spinWindow = 100 * time.Microsecond

// waitUntil returns at due on ck's clock, or at once if that has passed.
func waitUntil(ck *clock, due time.Duration) {
	for {
		wait := due - ck.now()
		switch {
		case wait <= 0:
			return
		case wait > spinWindow:
			time.Sleep(wait - spinWindow)
		default:
			runtime.Gosched()
		}
	}
}
