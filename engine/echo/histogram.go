package echo

import (
	"math"
	"math/bits"
	"time"
)

// Histogram records durations in log-linear buckets: exact below 128 ns,
// then 64 buckets per power of two, so a percentile is within 1.6% of the
// true value. It covers up to 2^41 ns (about 36 minutes); longer values go
// in the last bucket. Recording never allocates. Mean and standard
// deviation are exact.
type Histogram struct {
	counts   [histBuckets]uint64
	n        uint64
	min, max time.Duration
	sum      float64 // ns
	sumSq    float64 // ns²
}

const (
	histLinear  = 128 // values below are their own bucket
	histSub     = 64  // buckets per power of two above
	histMaxExp  = 34  // 128 << 34 = 2^41 ns
	histBuckets = histLinear + histMaxExp*histSub
)

// bucket returns the bucket of v ns.
func bucket(v uint64) int {
	if v < histLinear {
		return int(v)
	}
	e := bits.Len64(v) - 7 // v>>e is in [64, 128)
	if e > histMaxExp {
		return histBuckets - 1
	}
	return histLinear + (e-1)*histSub + int(v>>e) - histSub
}

// bucketValue returns the middle of bucket i, in ns.
func bucketValue(i int) float64 {
	if i < histLinear {
		return float64(i)
	}
	e := (i-histLinear)/histSub + 1
	m := (i-histLinear)%histSub + histSub
	lo := float64(uint64(m) << e)
	return lo + float64(uint64(1)<<e)/2
}

// Record adds one duration; negative ones count as 0.
func (h *Histogram) Record(d time.Duration) {
	d = max(d, 0)
	h.counts[bucket(uint64(d))]++
	if h.n == 0 || d < h.min {
		h.min = d
	}
	h.max = max(h.max, d)
	h.n++
	f := float64(d)
	h.sum += f
	h.sumSq += f * f
}

// Merge adds o's records to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	h.max = max(h.max, o.max)
	h.n += o.n
	h.sum += o.sum
	h.sumSq += o.sumSq
}

// Count returns the number of records.
func (h *Histogram) Count() uint64 { return h.n }

// Quantile returns the value below which a fraction q of the records lie,
// clamped to the exact minimum and maximum.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			v := time.Duration(bucketValue(i))
			return min(max(v, h.min), h.max)
		}
	}
	return h.max
}

// Mean returns the mean of the records.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.sum / float64(h.n))
}

// StdDev returns the population standard deviation of the records.
func (h *Histogram) StdDev() time.Duration {
	if h.n == 0 {
		return 0
	}
	m := h.sum / float64(h.n)
	return time.Duration(math.Sqrt(max(h.sumSq/float64(h.n)-m*m, 0)))
}

// Min and Max return the extremes.
func (h *Histogram) Min() time.Duration { return h.min }
func (h *Histogram) Max() time.Duration { return h.max }

// Buckets calls f for each non-empty bucket in order with its middle
// value and count.
func (h *Histogram) Buckets(f func(value time.Duration, count uint64)) {
	for i, c := range h.counts {
		if c > 0 {
			f(time.Duration(bucketValue(i)), c)
		}
	}
}
