package sockopt

import (
	"slices"
	"testing"
	"time"
)

// TestSpinnerBacksOff: a poll that finds nothing for all of For makes the
// next 1, 2, 4 … maxSpinSkip receives sleep at once; a poll that finds
// data ends the backoff.
func TestSpinnerBacksOff(t *testing.T) {
	s := Spinner{For: time.Microsecond}
	empty := func() bool { return true } // nothing ever comes
	var polls, want []int
	for i := range 300 {
		polled, stayed := s.poll(empty)
		if !stayed {
			t.Fatalf("receive %d: the socket stays empty, yet the poll says otherwise", i)
		}
		if polled > 0 {
			polls = append(polls, i)
		}
	}
	for i, skip := 0, 1; i < 300; i, skip = i+1+skip, min(2*skip, maxSpinSkip) {
		want = append(want, i)
	}
	if !slices.Equal(polls, want) {
		t.Fatalf("polled at receives %v, want %v", polls, want)
	}

	for s.skip > 0 { // to the next receive that polls
		s.poll(empty)
	}
	calls := 0
	arrives := func() bool { calls++; return calls < 3 } // data on the third try
	if polled, stayed := s.poll(arrives); stayed || polled == 0 {
		t.Fatalf("data while polling: polled %v, stayed empty %v", polled, stayed)
	}
	if s.skip != 0 || s.after != 0 {
		t.Fatalf("after a poll that found data: skip %d, after %d; want the backoff ended", s.skip, s.after)
	}
	if s.poll(empty); s.skip != 1 {
		t.Errorf("a wasted poll after the backoff ended skips %d receives, want 1", s.skip)
	}
}
