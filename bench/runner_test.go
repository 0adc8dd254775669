package bench

import (
	"math"
	"testing"
)

// TestPairRatio: rounds in two modes, one tool meeting the fast mode more
// often; the ratio of medians reads the modes, the pair ratio the tools.
func TestPairRatio(t *testing.T) {
	tests := []struct {
		a, b []float64
		want float64
	}{
		{[]float64{70, 70, 70, 100, 100}, []float64{68.6, 68.6, 98, 98, 98}, 0.98},
		{[]float64{10, 0, 20}, []float64{5, 7, 10}, 0.5}, // a round without a rate is left out
		{[]float64{10, 20, 30}, []float64{11, 22}, 1.1},  // only rounds both ran
		{nil, nil, 0},
	}
	for _, tt := range tests {
		if got := PairRatio(tt.a, tt.b); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("PairRatio(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
	if m := Median([]float64{68.6, 68.6, 98, 98, 98}) / Median([]float64{70, 70, 70, 100, 100}); m < 1.3 {
		t.Errorf("ratio of medians %v: the case no longer shows the difference", m)
	}
}
