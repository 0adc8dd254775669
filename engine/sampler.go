package engine

import (
	"fmt"
	"math"
	"syscall"
	"time"

	"github.com/goperf/goperf/sockopt"
)

// sampler reads the streams' counters on a schedule: at every interval
// boundary it emits an Interval, at the end of the omit period it rebases
// the counters, and it ends the test when nothing has moved for the idle
// timeout. Its goroutine is the only one touching its fields until finish.
type sampler struct {
	r        *run
	interval time.Duration // 0 = no interval reports
	idle     time.Duration // 0 = no watchdog
	guard    *guard        // a server's limits; nil = none
	latency  latencySource // --latency's round trips; nil = none
	emit     func(*Interval)

	omitEnd  time.Time // when the omit period ends
	omitting bool      // still inside it
	origin   time.Time // times are reported from here: start, then omit end
	last     time.Time // end of the previous interval
	tick     int       // index of the next interval boundary from origin

	tracks       []track
	lastMoved    time.Time // when the counters last changed
	lastMovedSum uint64

	stop, done chan struct{}
	halted     bool
}

// track is the sampler's state for one stream.
type track struct {
	prev, base   counters
	tcp          bool   // a TCP sender whose TCP_INFO can be read
	retransPrev  uint32 // kernel total at the previous sample
	retransBase  uint32 // kernel total at the start of the results
	stats        TCPStats
	rttSum, rttN uint64
}

// localResult is one stream's figures from the local side.
type localResult struct {
	bytes   uint64
	blocks  uint64
	packets uint64 // UDP sender: datagrams sent after the omit period
	omitted uint64 // UDP sender: datagrams sent during it
	// omittedBytes is what the stream moved during the omit period.
	omittedBytes uint64
	seconds      float64
	retrans      int64 // -1 when unknown
	tcp          *TCPStats
	limits       *SenderLimits // TCP sender, at the end
}

// newSampler prepares a sampler for r; start runs it.
func newSampler(r *run, interval, idle time.Duration, emit func(*Interval)) *sampler {
	sm := &sampler{
		r: r, interval: interval, idle: idle, emit: emit,
		tracks: make([]track, len(r.streams)),
		stop:   make(chan struct{}), done: make(chan struct{}),
	}
	return sm
}

// start begins sampling at the test's start time.
func (sm *sampler) start() {
	start := sm.r.start
	sm.origin, sm.last, sm.lastMoved, sm.tick = start, start, start, 1
	sm.omitEnd = start.Add(sm.r.spec.Omit)
	sm.omitting = sm.r.spec.Omit > 0
	for i, s := range sm.r.streams {
		t := &sm.tracks[i]
		if ti, ok := sm.tcpInfo(s); ok {
			t.tcp = true
			t.retransPrev, t.retransBase = ti.TotalRetrans, ti.TotalRetrans
		}
	}
	go sm.loop()
}

func (sm *sampler) loop() {
	defer close(sm.done)
	timer := time.NewTimer(time.Until(sm.nextWake()))
	defer timer.Stop()
	for {
		select {
		case <-sm.stop:
			return
		case <-timer.C:
		}
		sm.sample(time.Now())
		timer.Reset(time.Until(sm.nextWake()))
	}
}

// nextWake returns the next moment the sampler has work.
func (sm *sampler) nextWake() time.Time {
	next := time.Now().Add(time.Hour)
	if sm.interval > 0 {
		next = sm.origin.Add(time.Duration(sm.tick) * sm.interval)
	}
	if sm.omitting && sm.omitEnd.Before(next) {
		next = sm.omitEnd
	}
	if sm.idle > 0 || sm.guard != nil {
		if check := time.Now().Add(time.Second); check.Before(next) {
			next = check
		}
	}
	return next
}

// sample does whatever is due at now.
func (sm *sampler) sample(now time.Time) {
	snap := sm.r.snapshot()
	switch {
	case sm.omitting && !now.Before(sm.omitEnd):
		if sm.interval > 0 {
			sm.emitInterval(now, snap, true)
		}
		sm.rebase(now, snap)
	case sm.interval > 0 && !now.Before(sm.origin.Add(time.Duration(sm.tick)*sm.interval)):
		sm.emitInterval(now, snap, sm.omitting)
		for !now.Before(sm.origin.Add(time.Duration(sm.tick) * sm.interval)) {
			sm.tick++
		}
	}
	sm.watch(now, snap)
}

// rebase starts the results at now: the omit period is over.
func (sm *sampler) rebase(now time.Time, snap []counters) {
	sm.omitting = false
	sm.origin, sm.last, sm.tick = now, now, 1
	for i := range sm.tracks {
		t := &sm.tracks[i]
		t.base, t.prev = snap[i], snap[i]
		t.retransBase = t.retransPrev
		t.stats, t.rttSum, t.rttN = TCPStats{}, 0, 0
	}
	if sm.latency != nil {
		sm.latency.rebase()
	}
}

// watch ends the test when no counter has moved for the idle timeout, or
// when it breaks a server limit.
func (sm *sampler) watch(now time.Time, snap []counters) {
	var sum uint64
	for _, c := range snap {
		sum += c.bytes
	}
	if reason, err := sm.guard.check(now, sum); err != nil {
		sm.r.end(reason, err)
		return
	}
	if sm.idle <= 0 {
		return
	}
	if sum != sm.lastMovedSum {
		sm.lastMovedSum, sm.lastMoved = sum, now
		return
	}
	if now.Sub(sm.lastMoved) >= sm.idle {
		sm.r.end(endIdle, fmt.Errorf("no data moved for %v", sm.idle))
	}
}

// emitInterval reports the interval that ends at now.
func (sm *sampler) emitInterval(now time.Time, snap []counters, omitted bool) {
	iv := &Interval{
		Start:   sm.last.Sub(sm.origin),
		End:     now.Sub(sm.origin),
		Omitted: omitted,
		Streams: make([]IntervalStream, len(sm.r.streams)),
	}
	for i, s := range sm.r.streams {
		t := &sm.tracks[i]
		iv.Streams[i] = IntervalStream{ID: s.id, Socket: s.fd, Sender: s.sender, Bytes: snap[i].bytes - t.prev.bytes}
		if t.tcp {
			iv.Streams[i].TCP = sm.sampleTCP(s, t)
		}
		if s.udp != nil {
			iv.Streams[i].UDP = udpSample(s, snap[i], t.prev)
		}
		t.prev = snap[i]
	}
	if sm.latency != nil {
		iv.Latency = sm.latency.cut()
	}
	sm.last = now
	sm.emit(iv)
}

// udpSample is a UDP stream's interval from two readings. A receiver's gap
// count restarts when the omit period ends, hence the floor at zero.
func udpSample(s *stream, now, prev counters) *UDPSample {
	us := &UDPSample{Packets: now.packets - min(prev.packets, now.packets)}
	if !s.sender {
		us.Lost = max(now.lost-prev.lost, 0)
		us.Jitter = math.Float64frombits(s.udp.jitterBits.Load())
	}
	return us
}

// sampleTCP reads TCP_INFO for a sender and folds it into the stream's stats.
func (sm *sampler) sampleTCP(s *stream, t *track) *TCPSample {
	ti, ok := sm.tcpInfo(s)
	if !ok {
		return nil
	}
	ts := &TCPSample{
		Retransmits: uint64(ti.TotalRetrans - t.retransPrev),
		SndCwnd:     ti.SndCwnd,
		SndWnd:      ti.SndWnd,
		RTT:         ti.RTT,
		RTTVar:      ti.RTTVar,
		PMTU:        ti.PMTU,
		Reorder:     ti.ReordSeen,
	}
	t.retransPrev = ti.TotalRetrans
	st := &t.stats
	st.Reorder = ti.ReordSeen
	st.MaxSndCwnd = max(st.MaxSndCwnd, ti.SndCwnd)
	st.MaxSndWnd = max(st.MaxSndWnd, ti.SndWnd)
	st.MaxRTT = max(st.MaxRTT, ti.RTT)
	if t.rttN == 0 || ti.RTT < st.MinRTT {
		st.MinRTT = ti.RTT
	}
	t.rttSum += uint64(ti.RTT)
	t.rttN++
	st.MeanRTT = uint32(t.rttSum / t.rttN)
	return ts
}

// tcpInfo reads TCP_INFO for a local TCP sender.
func (sm *sampler) tcpInfo(s *stream) (sockopt.TCPInfo, bool) {
	sc, ok := s.conn.(syscall.Conn)
	if !ok || !s.sender || sm.r.spec.Proto != TCP {
		return sockopt.TCPInfo{}, false
	}
	ti, err := sockopt.ReadTCPInfo(sc)
	return ti, err == nil
}

// halt stops the sampler's goroutine; the test's end has come. It is
// called by the test's goroutine only, and may be called again.
func (sm *sampler) halt() {
	if !sm.halted {
		sm.halted = true
		close(sm.stop)
		<-sm.done
	}
}

// finish stops the sampler, emits the last partial interval, ending at end
// with the final counters snap, unless it is under a tenth of an interval,
// and returns each stream's figures since the end of the omit period.
func (sm *sampler) finish(end time.Time, snap []counters) []localResult {
	sm.halt()
	if sm.interval > 0 && end.Sub(sm.last) >= sm.interval/10 {
		sm.emitInterval(end, snap, sm.omitting)
	}
	res := make([]localResult, len(sm.tracks))
	for i, s := range sm.r.streams {
		t := &sm.tracks[i]
		res[i] = localResult{
			bytes:        snap[i].bytes - t.base.bytes,
			blocks:       snap[i].blocks - t.base.blocks,
			packets:      snap[i].packets - t.base.packets,
			omitted:      t.base.packets,
			omittedBytes: t.base.bytes,
			seconds:      end.Sub(sm.origin).Seconds(),
			retrans:      -1,
		}
		if !t.tcp {
			continue
		}
		ti, ok := sm.tcpInfo(s)
		if ok {
			t.retransPrev = ti.TotalRetrans
		}
		res[i].retrans = int64(t.retransPrev - t.retransBase)
		if t.rttN > 0 {
			stats := t.stats
			res[i].tcp = &stats
		}
		if ok {
			res[i].limits = limitsOf(ti, res[i].tcp)
		}
	}
	return res
}
