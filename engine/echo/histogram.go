package echo

import (
	"math"
	"math/bits"
	"time"
)

// Histogram counts durations in log-linear buckets, as HdrHistogram does:
// below 256 ns every nanosecond has its bucket, and above, each power of
// two is split into 128 buckets, so a bucket is at most 1/128 of its value
// wide. Record allocates nothing. Values above maxTracked share the last
// bucket; Min, Max, Mean and Stddev are exact whatever the value.
//
// A Histogram is not safe for concurrent use: each connection records
// into its own, and Merge combines them afterwards.
type Histogram struct {
	counts []uint64
	n      uint64
	min    int64
	max    int64
	sum    float64 // ns
	sumSq  float64 // ns²
}

const (
	subBits    = 7                // 128 buckets per power of two
	subCount   = 1 << subBits     // buckets per power of two
	linearTop  = 2 * subCount     // values below this are exact
	maxTracked = int64(1)<<40 - 1 // ns, about 18 minutes
	numBuckets = linearTop + (40-subBits-1)*subCount
)

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram {
	return &Histogram{counts: make([]uint64, numBuckets), min: math.MaxInt64}
}

// Record adds one duration.
func (h *Histogram) Record(d time.Duration) {
	v := max(int64(d), 0)
	h.counts[bucketOf(min(v, maxTracked))]++
	h.n++
	h.min = min(h.min, v)
	h.max = max(h.max, v)
	f := float64(v)
	h.sum += f
	h.sumSq += f * f
}

// bucketOf returns the index of v's bucket; 0 <= v <= maxTracked.
func bucketOf(v int64) int {
	if v < linearTop {
		return int(v)
	}
	shift := bits.Len64(uint64(v)) - subBits - 1 // >= 1
	return linearTop + (shift-1)*subCount + int(v>>shift) - subCount
}

// bounds returns the lowest and highest value of bucket i.
func bounds(i int) (lo, hi int64) {
	if i < linearTop {
		return int64(i), int64(i)
	}
	shift := (i-linearTop)/subCount + 1
	lo = int64((i-linearTop)%subCount+subCount) << shift
	return lo, lo + int64(1)<<shift - 1
}

// Merge adds o's counts to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.min = min(h.min, o.min)
	h.max = max(h.max, o.max)
	h.sum += o.sum
	h.sumSq += o.sumSq
}

// Count returns the number of durations recorded.
func (h *Histogram) Count() uint64 { return h.n }

// Min returns the smallest duration recorded, or 0 for none.
func (h *Histogram) Min() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.min)
}

// Max returns the largest duration recorded, or 0 for none.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max) }

// Mean returns the arithmetic mean, or 0 for none.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.sum / float64(h.n))
}

// Stddev returns the population standard deviation, or 0 for none.
func (h *Histogram) Stddev() time.Duration {
	if h.n == 0 {
		return 0
	}
	mean := h.sum / float64(h.n)
	return time.Duration(math.Sqrt(max(h.sumSq/float64(h.n)-mean*mean, 0)))
}

// Quantile returns the duration below or at which a fraction q (0 to 1) of
// the recorded ones lie: the middle of the bucket that holds the
// ceil(q*n)-th smallest, kept within Min and Max. It returns 0 for none.
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
			lo, hi := bounds(i)
			return time.Duration(min(max(lo+(hi-lo)/2, h.min), h.max))
		}
	}
	return time.Duration(h.max)
}

// Reset empties h, keeping its buckets.
func (h *Histogram) Reset() {
	clear(h.counts)
	h.n, h.min, h.max, h.sum, h.sumSq = 0, math.MaxInt64, 0, 0, 0
}

// TrimmedMean returns the mean of the smallest fraction q (0 to 1) of the
// recorded durations, each taken at its bucket's middle, or 0 for none:
// the IETF responsiveness draft's trimmed mean, which leaves out the
// slowest 1-q.
func (h *Histogram) TrimmedMean(q float64) time.Duration {
	keep := uint64(math.Ceil(q * float64(h.n)))
	if keep == 0 {
		return 0
	}
	var sum float64
	left := keep
	for i, c := range h.counts {
		if c == 0 {
			continue
		}
		lo, hi := bounds(i)
		mid := float64(min(max(lo+(hi-lo)/2, h.min), h.max))
		take := min(c, left)
		sum += mid * float64(take)
		if left -= take; left == 0 {
			break
		}
	}
	return time.Duration(sum / float64(keep))
}
