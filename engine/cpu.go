package engine

import "time"

// cpuClock is a reading of the process's CPU time and the wall clock.
type cpuClock struct {
	wall         time.Time
	user, system time.Duration
}

// readCPU reads the clocks now.
func readCPU() cpuClock {
	c := cpuClock{wall: time.Now()}
	c.user, c.system = processCPU()
	return c
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
	return u
}
