package engine

import (
	"sync"
	"time"
)

// cpuClock is a reading of the process's CPU time and the wall clock, and
// of how long each of its threads has waited for a CPU (threadWaits).
type cpuClock struct {
	wall         time.Time
	user, system time.Duration
	waits        map[int]time.Duration
	polled       time.Duration // receivers' polling of empty sockets (run.readCPU)
}

// readCPU reads the clocks now.
func readCPU() cpuClock {
	c := cpuClock{wall: time.Now()}
	c.user, c.system = processCPU()
	c.waits = threadWaits()
	return c
}

// goneWaits keeps what each thread a run's stream ended had waited for a
// CPU, read by the thread as it ended: an ended thread leaves
// /proc/self/task, and its waiting with it, before the run's CPU is read
// (a server's receivers end at their EOF, before TEST_END).
type goneWaits struct {
	mu    sync.Mutex
	waits map[int]time.Duration
}

// record keeps the calling thread's wait; the caller is locked to the
// thread, which ends when it returns.
func (g *goneWaits) record() {
	tid, w, ok := ownWait()
	if !ok {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.waits == nil {
		g.waits = map[int]time.Duration{}
	}
	g.waits[tid] = w
}

// into puts the ended threads' waits into c where c has none of its own.
func (g *goneWaits) into(c *cpuClock) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if c.waits == nil {
		return
	}
	for tid, w := range g.waits {
		if _, alive := c.waits[tid]; !alive {
			c.waits[tid] = w
		}
	}
}

// waitedSince sums what the threads waited for a CPU between start and
// c: a thread made meanwhile counts whole, one gone by c is left out.
func (c cpuClock) waitedSince(start cpuClock) time.Duration {
	var sum time.Duration
	for tid, w := range c.waits {
		sum += w - start.waits[tid]
	}
	return sum
}

// since returns the CPU use between start and c, in percent of one CPU, as
// iperf3 computes it from getrusage. Several concurrent tests on one server
// each see the whole process.
func (c cpuClock) since(start cpuClock) CPUUtil {
	wall := c.wall.Sub(start.wall).Seconds()
	if wall <= 0 {
		return CPUUtil{}
	}
	u := CPUUtil{
		User:   (c.user - start.user).Seconds() / wall * 100,
		System: (c.system - start.system).Seconds() / wall * 100,
	}
	u.Total = u.User + u.System
	if c.waits != nil {
		u.Waited = c.waitedSince(start).Seconds() / wall * 100
	}
	u.Polled = min((c.polled-start.polled).Seconds()/wall*100, u.Total)
	return u
}
