package main

import (
	"time"

	"github.com/goperf/goperf/bench"
	"github.com/goperf/goperf/bench/attrib"
	"github.com/goperf/goperf/bench/costmodel"
)

// curve is one contender's results across the sizes.
type curve struct {
	name       string
	gbps       []float64 // median sender rate per size
	model      costmodel.Model
	fitErr     error
	breakdowns []*attrib.Breakdown // per size, for profiled contenders
	writes     []float64           // per size, in the profiled run
	bytes      []float64
}

// report is everything report.md and the chart say.
type report struct {
	machine machine
	curves  []curve
	seconds int
	rounds  int
	elapsed time.Duration
}

// analyse takes medians, fits the cost model and keeps the profiles.
func analyse(cs []contender, res [][][]sample, m machine, seconds, rounds int) *report {
	rep := &report{machine: m, seconds: seconds, rounds: rounds}
	for ci, c := range cs {
		cv := curve{name: c.name}
		var pts []costmodel.Point
		for si, size := range sizes {
			rs := res[ci][si]
			g := bench.Median(pick(rs, func(s sample) float64 { return s.gbps }))
			cv.gbps = append(cv.gbps, g)
			if g > 0 {
				pts = append(pts, costmodel.Point{Size: float64(size), NsPerWrite: 8 * float64(size) / g})
			}
			if c.profile {
				cv.breakdowns = append(cv.breakdowns, rs[0].breakdown)
				cv.writes = append(cv.writes, rs[0].writes)
				cv.bytes = append(cv.bytes, rs[0].bytes)
			}
		}
		cv.model, cv.fitErr = costmodel.Fit(pts)
		rep.curves = append(rep.curves, cv)
	}
	return rep
}

func pick(ss []sample, f func(sample) float64) []float64 {
	xs := make([]float64, len(ss))
	for i, s := range ss {
		xs[i] = f(s)
	}
	return xs
}

// find returns the curve named name, or nil.
func (r *report) find(name string) *curve {
	for i := range r.curves {
		if r.curves[i].name == name {
			return &r.curves[i]
		}
	}
	return nil
}

// peak is the curve's highest median rate and the size where it was.
func (c *curve) peak() (gbps float64, size int) {
	for i, g := range c.gbps {
		if g > gbps {
			gbps, size = g, sizes[i]
		}
	}
	return gbps, size
}

// reaches returns the smallest size whose measured rate is at least frac
// of the curve's peak.
func (c *curve) reaches(frac float64) int {
	peak, _ := c.peak()
	for i, g := range c.gbps {
		if g >= frac*peak {
			return sizes[i]
		}
	}
	return 0
}

// at returns the median rate at size.
func (c *curve) at(size int) float64 {
	for i, s := range sizes {
		if s == size {
			return c.gbps[i]
		}
	}
	return 0
}
