package echo

import (
	"bytes"
	"fmt"
	"io"
)

// WriteTo writes h's distribution in HdrHistogram's percentile format, so
// HdrHistogram's plotting page reads it: one row per non-empty bucket with
// the bucket's highest value in microseconds, the fraction of round trips
// at or below it, their count and 1/(1-fraction), then the mean, standard
// deviation, maximum and count as comments.
func (h *Histogram) WriteTo(w io.Writer) (int64, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount", "1/(1-Percentile)")
	var seen uint64
	for i, c := range h.counts {
		if c == 0 {
			continue
		}
		seen += c
		_, hi := bounds(i)
		v := float64(min(hi, h.max)) / 1e3
		p := float64(seen) / float64(h.n)
		if seen == h.n {
			fmt.Fprintf(&b, "%12.3f %14.12f %10d\n", v, p, seen)
			continue
		}
		fmt.Fprintf(&b, "%12.3f %14.12f %10d %14.2f\n", v, p, seen, 1/(1-p))
	}
	fmt.Fprintf(&b, "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", us(h.Mean()), us(h.Stddev()))
	fmt.Fprintf(&b, "#[Max     = %12.3f, Total count    = %12d]\n", us(h.Max()), h.n)
	fmt.Fprintf(&b, "#[Buckets = %12d, SubBuckets     = %12d]\n", numBuckets, subCount)
	return b.WriteTo(w)
}
