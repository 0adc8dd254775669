package costmodel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFitExact recovers a model from points it made.
func TestFitExact(t *testing.T) {
	want := Model{PerCall: 1500, PerByte: 0.35}
	var pts []Point
	for s := 1024.0; s <= 1<<20; s *= 2 {
		pts = append(pts, Point{s, want.NsPerWrite(s)})
	}
	got, err := Fit(pts)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got.PerCall-want.PerCall) > 1e-6*want.PerCall || math.Abs(got.PerByte-want.PerByte) > 1e-9 {
		t.Errorf("fit %+v, want %+v", got, want)
	}
	if s := got.SizeAt(0.9); math.Abs(s-9*1500/0.35) > 1 {
		t.Errorf("90%% size %v, want 9a/c = %v", s, 9*1500/0.35)
	}
	if r := got.Gbps(got.SizeAt(0.9)) / got.Plateau(); math.Abs(r-0.9) > 1e-9 {
		t.Errorf("rate at the 90%% size is %v of the plateau", r)
	}
}

// TestFitNoisy: 5% multiplicative noise moves a and c by little, even
// though a matters only for the small sizes.
func TestFitNoisy(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	want := Model{PerCall: 2000, PerByte: 0.4}
	var pts []Point
	for s := 1024.0; s <= 1<<20; s *= 2 {
		pts = append(pts, Point{s, want.NsPerWrite(s) * (1 + 0.1*(rng.Float64()-0.5))})
	}
	got, err := Fit(pts)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got.PerCall/want.PerCall-1) > 0.15 || math.Abs(got.PerByte/want.PerByte-1) > 0.1 {
		t.Errorf("fit %+v, want about %+v", got, want)
	}
}

// TestFitRejects bad input.
func TestFitRejects(t *testing.T) {
	for _, pts := range [][]Point{nil, {{1024, 100}}, {{1024, 100}, {1024, 120}}, {{0, 1}, {2, 3}}, {{1024, -1}, {2048, 5}}} {
		if m, err := Fit(pts); err == nil {
			t.Errorf("%v: fitted %+v", pts, m)
		}
	}
}
