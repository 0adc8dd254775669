package costmodel

import (
	"errors"
	"fmt"
	"math"

	"github.com/montanaflynn/stats"
)

// Point is one measurement: writes of Size bytes took NsPerWrite each.
type Point struct {
	Size       float64 // bytes
	NsPerWrite float64 // wall time of one write, in nanoseconds
}

// Model is a fitted a + c·s.
type Model struct {
	PerCall float64 // a, ns per write
	PerByte float64 // c, ns per byte
}

// Fit fits the model to points by least squares on the time per byte
// against 1/size: t/s = c + a·(1/s). Dividing by s weighs every size by
// its relative error, where a fit of t against s would let the largest
// writes decide a alone.
func Fit(points []Point) (Model, error) {
	series := make(stats.Series, 0, len(points))
	for _, p := range points {
		if p.Size <= 0 || p.NsPerWrite <= 0 {
			return Model{}, fmt.Errorf("costmodel: point %+v is not positive", p)
		}
		series = append(series, stats.Coordinate{X: 1 / p.Size, Y: p.NsPerWrite / p.Size})
	}
	line, err := stats.LinearRegression(series)
	if err != nil {
		return Model{}, fmt.Errorf("costmodel: %w", err)
	}
	// The regression returns the fitted line at each x; two distinct x
	// give its slope (a) and intercept (c).
	i, j := 0, 0
	for k := range line {
		if line[k].X < line[i].X {
			i = k
		}
		if line[k].X > line[j].X {
			j = k
		}
	}
	if line[i].X == line[j].X {
		return Model{}, errors.New("costmodel: all points have one size")
	}
	a := (line[j].Y - line[i].Y) / (line[j].X - line[i].X)
	c := line[i].Y - a*line[i].X
	return Model{PerCall: a, PerByte: c}, nil
}

// NsPerWrite is the model's time for a write of size bytes.
func (m Model) NsPerWrite(size float64) float64 { return m.PerCall + m.PerByte*size }

// Gbps is the model's rate at writes of size bytes, in Gbit/s.
func (m Model) Gbps(size float64) float64 { return 8 * size / m.NsPerWrite(size) }

// Plateau is the rate that large writes approach, 1/c, in Gbit/s; +Inf
// when the fit found no per-byte cost.
func (m Model) Plateau() float64 {
	if m.PerByte <= 0 {
		return math.Inf(1)
	}
	return 8 / m.PerByte
}

// SizeAt returns the write size at which the rate reaches frac (0 to 1)
// of the plateau: a·frac / (c·(1-frac)); 9a/c for 90%.
func (m Model) SizeAt(frac float64) float64 {
	if m.PerByte <= 0 || frac >= 1 {
		return math.Inf(1)
	}
	return m.PerCall * frac / (m.PerByte * (1 - frac))
}
