package engine

import "time"

// cpuClock is a reading of the process's CPU time and the wall clock, and
// of how long each of its threads has waited for a CPU (threadWaits).
type cpuClock struct {
	wall         time.Time
	user, system time.Duration
	waits        map[int]time.Duration
}

// readCPU reads the clocks now.
func readCPU() cpuClock {
	c := cpuClock{wall: time.Now()}
	c.user, c.system = processCPU()
	c.waits = threadWaits()
	return c
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
	return u
}
