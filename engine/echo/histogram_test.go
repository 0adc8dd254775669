package echo

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestBuckets checks that every bucket's bounds map back to it and that
// buckets tile the tracked range without gaps.
func TestBuckets(t *testing.T) {
	next := int64(0)
	for i := range numBuckets {
		lo, hi := bounds(i)
		if lo != next {
			t.Fatalf("bucket %d starts at %d, want %d", i, lo, next)
		}
		if bucketOf(lo) != i || bucketOf(hi) != i {
			t.Fatalf("bucket %d [%d, %d] maps to %d and %d", i, lo, hi, bucketOf(lo), bucketOf(hi))
		}
		if lo >= linearTop && float64(hi-lo+1)/float64(lo) > 1.0/subCount {
			t.Fatalf("bucket %d [%d, %d] is wider than 1/%d", i, lo, hi, subCount)
		}
		next = hi + 1
	}
	if next != maxTracked+1 {
		t.Fatalf("buckets end at %d, want %d", next, maxTracked+1)
	}
}

// TestQuantiles compares the histogram with exact order statistics.
func TestQuantiles(t *testing.T) {
	tests := []struct {
		name string
		gen  func(r *rand.Rand) time.Duration
	}{
		{"small", func(r *rand.Rand) time.Duration { return time.Duration(r.IntN(300)) }},
		{"loopback", func(r *rand.Rand) time.Duration {
			return 20*time.Microsecond + time.Duration(r.ExpFloat64()*float64(5*time.Microsecond))
		}},
		{"wide", func(r *rand.Rand) time.Duration { return time.Duration(r.Int64N(int64(10 * time.Second))) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			h := NewHistogram()
			var xs []time.Duration
			for range 100000 {
				d := tt.gen(r)
				h.Record(d)
				xs = append(xs, d)
			}
			slices.Sort(xs)
			for _, q := range []float64{0.5, 0.9, 0.99, 0.999, 0.9999, 1} {
				exact := xs[max(int(q*float64(len(xs))+0.999999)-1, 0)]
				got := h.Quantile(q)
				if diff := float64(got-exact) / float64(max(exact, 1)); diff > 0.005 || diff < -0.005 {
					t.Errorf("q=%v: got %v, exact %v", q, got, exact)
				}
			}
			if h.Min() != xs[0] || h.Max() != xs[len(xs)-1] || h.Count() != uint64(len(xs)) {
				t.Errorf("min %v max %v count %d; want %v %v %d", h.Min(), h.Max(), h.Count(), xs[0], xs[len(xs)-1], len(xs))
			}
		})
	}
}

// TestMergeAndMoments checks Merge, Mean and Stddev on known values.
func TestMergeAndMoments(t *testing.T) {
	a, b := NewHistogram(), NewHistogram()
	for _, d := range []time.Duration{2, 4, 4, 4} {
		a.Record(d * time.Microsecond)
	}
	for _, d := range []time.Duration{5, 5, 7, 9} {
		b.Record(d * time.Microsecond)
	}
	a.Merge(b)
	if a.Count() != 8 || a.Mean() != 5*time.Microsecond || a.Stddev() != 2*time.Microsecond {
		t.Errorf("count %d mean %v stddev %v; want 8 5µs 2µs", a.Count(), a.Mean(), a.Stddev())
	}
	if e := NewHistogram(); e.Quantile(0.5) != 0 || e.Min() != 0 || e.Mean() != 0 {
		t.Error("an empty histogram reports non-zero values")
	}
}

// TestRecordAllocs checks that recording allocates nothing.
func TestRecordAllocs(t *testing.T) {
	h := NewHistogram()
	if n := testing.AllocsPerRun(1000, func() { h.Record(42 * time.Microsecond) }); n != 0 {
		t.Errorf("Record allocates %v times", n)
	}
}

// TrimmedMean leaves out the slowest share, and Reset empties the
// histogram for the next interval: 95 round trips of 1 µs and 5 of 1 s
// keep a 1 µs mean at 0.95 and reach the whole mean at 1.
func TestTrimmedMeanAndReset(t *testing.T) {
	h := NewHistogram()
	for range 95 {
		h.Record(time.Microsecond)
	}
	for range 5 {
		h.Record(time.Second)
	}
	if got := h.TrimmedMean(0.95); got < time.Microsecond || got > time.Microsecond*101/100 {
		t.Errorf("TrimmedMean(0.95) = %v, want 1µs within a bucket's width", got)
	}
	if got, want := h.TrimmedMean(1), h.Mean(); got < want*99/100 || got > want*101/100 {
		t.Errorf("TrimmedMean(1) = %v, want the mean %v within a bucket's width", got, want)
	}
	h.Reset()
	if h.Count() != 0 || h.TrimmedMean(0.95) != 0 || h.Max() != 0 || h.Quantile(0.5) != 0 {
		t.Errorf("after Reset: count %d, max %v", h.Count(), h.Max())
	}
	h.Record(2 * time.Microsecond)
	if h.Min() != 2*time.Microsecond || h.Max() != 2*time.Microsecond {
		t.Errorf("after Reset and one record: min %v, max %v, want 2µs", h.Min(), h.Max())
	}
}
