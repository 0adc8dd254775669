package main

import (
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/goperf/goperf/bench"
)

// The chart's geometry, in SVG user units.
const (
	chartW, chartH                     = 860, 500
	marginL, marginR, marginT, marginB = 70, 190, 50, 60
)

// palette colours the curves in order.
var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"}

// writeChart draws throughput against buffer size: a log2 x axis from the
// smallest size to the largest, a linear y axis from 0, a line per curve.
func writeChart(path string, rep *report) error {
	var b strings.Builder
	ymax := niceMax(rep)
	x := func(size int) float64 {
		lo, hi := math.Log2(float64(sizes[0])), math.Log2(float64(sizes[len(sizes)-1]))
		return marginL + (math.Log2(float64(size))-lo)/(hi-lo)*(chartW-marginL-marginR)
	}
	y := func(g float64) float64 { return chartH - marginB - g/ymax*(chartH-marginT-marginB) }

	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="13">`+"\n",
		chartW, chartH, chartW, chartH)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%d" y="28" font-size="16" font-weight="bold">TCP throughput against buffer size, one stream, loopback</text>`+"\n", marginL)
	drawAxes(&b, x, y, ymax)
	for i, c := range rep.curves {
		drawCurve(&b, c, palette[i%len(palette)], x, y)
		ly := marginT + 10 + 22*i
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="3"/>`+"\n",
			chartW-marginR+20, ly, chartW-marginR+44, ly, palette[i%len(palette)])
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", chartW-marginR+50, ly+4, escape(c.name))
	}
	b.WriteString("</svg>\n")
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// drawAxes draws the grid, the ticks and the axis titles.
func drawAxes(b *strings.Builder, x func(int) float64, y func(float64) float64, ymax float64) {
	left, right := float64(marginL), float64(chartW-marginR)
	step := ymax / 5
	for i := 0; i <= 5; i++ {
		g := step * float64(i)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", left, y(g), right, y(g))
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end">%g</text>`+"\n", left-8, y(g)+4, g)
	}
	for _, s := range sizes {
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>`+"\n", x(s), marginT, x(s), chartH-marginB)
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", x(s), chartH-marginB+18, bench.SizeName(s))
	}
	fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="black"/>`+"\n", left, chartH-marginB, right, chartH-marginB)
	fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="black"/>`+"\n", left, marginT, left, chartH-marginB)
	fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">buffer size per write (bytes, log scale)</text>`+"\n", (left+right)/2, chartH-16)
	fmt.Fprintf(b, `<text x="18" y="%.1f" text-anchor="middle" transform="rotate(-90 18 %.1f)">Gbit/s (sender, median)</text>`+"\n",
		float64(chartH)/2, float64(chartH)/2)
}

// drawCurve draws one curve as a polyline with a dot per size.
func drawCurve(b *strings.Builder, c curve, colour string, x func(int) float64, y func(float64) float64) {
	var pts []string
	for i, g := range c.gbps {
		if g <= 0 {
			continue
		}
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(sizes[i]), y(g)))
	}
	fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="2.5" points="%s"/>`+"\n", colour, strings.Join(pts, " "))
	for _, p := range pts {
		xy := strings.Split(p, ",")
		fmt.Fprintf(b, `<circle cx="%s" cy="%s" r="3.5" fill="%s"/>`+"\n", xy[0], xy[1], colour)
	}
}

// niceMax rounds the highest rate up to a round axis top.
func niceMax(rep *report) float64 {
	top := 1.0
	for _, c := range rep.curves {
		if g, _ := c.peak(); g > top {
			top = g
		}
	}
	for _, step := range []float64{1, 2, 5, 10, 20, 50, 100} {
		if top <= 5*step {
			return 5 * step
		}
	}
	return math.Ceil(top/100) * 100
}

// escape makes text safe inside SVG.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
