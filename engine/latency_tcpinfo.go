package engine

import (
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/goperf/goperf/engine/echo"
	"github.com/goperf/goperf/sockopt"
)

// The latency a client reports when its server cannot echo the probe (a
// stock iperf3): the kernel's RTT estimates of its own TCP streams, a
// sender's smoothed RTT or a receiver's own estimate, read at each
// interval's end. They are the kernel's averages, not round trips one by
// one, and the report says so.

// tcpInfoRTT reads its streams' TCP_INFO RTT into intervals and a total.
type tcpInfoRTT struct {
	streams []*stream
	note    string

	mu       sync.Mutex // cut and report may come from different goroutines
	interval *echo.Histogram
	total    *echo.Histogram
	idle     *echo.Histogram
}

// newTCPInfoRTT measures the streams' RTT, with the control connection's
// RTT now, before the load, as the idle baseline.
func newTCPInfoRTT(ctrl net.Conn, streams []*stream, note string) *tcpInfoRTT {
	t := &tcpInfoRTT{streams: streams, note: note, interval: echo.NewHistogram(), total: echo.NewHistogram(), idle: echo.NewHistogram()}
	if sc, ok := ctrl.(syscall.Conn); ok {
		if ti, err := sockopt.ReadTCPInfo(sc); err == nil && ti.RTT > 0 {
			t.idle.Record(time.Duration(ti.RTT) * time.Microsecond)
		}
	}
	return t
}

// read records each stream's RTT estimate now.
func (t *tcpInfoRTT) read() {
	for _, s := range t.streams {
		sc, ok := s.conn.(syscall.Conn)
		if !ok {
			continue
		}
		ti, err := sockopt.ReadTCPInfo(sc)
		if err != nil {
			continue
		}
		us := ti.RTT
		if !s.sender {
			us = ti.RcvRTT
		}
		if us > 0 {
			d := time.Duration(us) * time.Microsecond
			t.interval.Record(d)
			t.total.Record(d)
		}
	}
}

func (t *tcpInfoRTT) cut() *Latency {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.read()
	l := latencyOf(LatencyTCPInfo, t.interval, 0)
	t.interval.Reset()
	return &l
}

func (t *tcpInfoRTT) rebase() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.total.Reset()
}

func (t *tcpInfoRTT) report() *LatencyReport {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.total.Count() == 0 {
		t.read() // no interval reports (-i 0): one reading at the end
	}
	return &LatencyReport{Source: LatencyTCPInfo, Idle: latencyOf(LatencyTCPInfo, t.idle, 0), Loaded: latencyOf(LatencyTCPInfo, t.total, 0), Note: t.note}
}
