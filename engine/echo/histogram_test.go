package echo

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestHistogramQuantiles compares quantiles against the sorted samples.
func TestHistogramQuantiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h Histogram
	xs := make([]time.Duration, 100000)
	for i := range xs {
		xs[i] = time.Duration(rng.ExpFloat64() * 20000) // µs-scale, long tail
		h.Record(xs[i])
	}
	slices.Sort(xs)
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999, 0.9999} {
		want := xs[int(q*float64(len(xs)))-1]
		got := h.Quantile(q)
		if d := float64(got-want) / float64(want); d > 0.02 || d < -0.02 {
			t.Errorf("q%v = %v, want %v within 2%%", q, got, want)
		}
	}
	if h.Min() != xs[0] || h.Max() != xs[len(xs)-1] || h.Count() != uint64(len(xs)) {
		t.Errorf("min %v max %v count %d", h.Min(), h.Max(), h.Count())
	}
}

func TestHistogramBuckets(t *testing.T) {
	prev := -1
	for v := uint64(0); v < 1<<20; v += 7 {
		b := bucket(v)
		if b < prev || b >= histBuckets {
			t.Fatalf("bucket(%d) = %d after %d", v, b, prev)
		}
		prev = b
		if mid := bucketValue(b); v >= histLinear && (mid < float64(v)*0.98 || mid > float64(v)*1.02) {
			t.Fatalf("value %d in bucket %d of middle %v", v, b, mid)
		}
	}
	if bucket(1<<62) != histBuckets-1 {
		t.Error("huge values must land in the last bucket")
	}
	var h Histogram
	if n := testing.AllocsPerRun(100, func() { h.Record(12345) }); n != 0 {
		t.Errorf("%v allocations per record", n)
	}
}
