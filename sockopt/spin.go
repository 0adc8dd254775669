package sockopt

import "time"

// Spinner is a receiver's poll of its empty socket before it sleeps
// (RecvAwake, BatchConfig.Spin), and what it learned from the last ones.
// A poll is worth its CPU while data comes within For of the socket
// emptying, as on a fast path; on a slow one (100 Mbit/s through a tbf,
// a segment every 120 µs) a poll of 50 µs after every segment found
// nothing and cost 45% of a core. So a poll that ran all of For and found
// nothing makes the next receives that find the socket empty sleep at
// once, 1, 2, 4 … up to maxSpinSkip of them, and a poll that finds data
// ends that. Its zero value never polls; one Spinner serves one receiver.
type Spinner struct {
	For time.Duration // how long one poll lasts; 0 never polls

	skip  int // receives left that sleep without polling
	after int // the skip the next wasted poll sets
}

// maxSpinSkip bounds how many receives sleep at once after wasted polls.
const maxSpinSkip = 64

// poll runs pollEmpty with empty, unless wasted polls left receives to
// skip; then it reports the socket empty without calling empty, and the
// caller makes the call that sleeps.
func (s *Spinner) poll(empty func() bool) (polled time.Duration, stayed bool) {
	if s.skip > 0 {
		s.skip--
		return 0, true
	}
	polled, stayed = pollEmpty(s.For, empty)
	switch {
	case stayed:
		s.after = min(max(1, 2*s.after), maxSpinSkip)
		s.skip = s.after
	case polled > 0: // data came while it polled
		s.after = 0
	}
	return polled, stayed
}

// pollEmpty calls empty, a receive that does not sleep and reports
// whether it found the socket empty, until a call finds something or spin
// has passed since the first found it empty, and says whether the socket
// stayed empty. polled runs to the last call that found the socket empty:
// the one that found data was work. The clock is read only once the
// socket is empty.
func pollEmpty(spin time.Duration, empty func() bool) (polled time.Duration, stayed bool) {
	if !empty() {
		return 0, false
	}
	start := time.Now()
	for {
		if !empty() {
			return polled, false
		}
		if polled = time.Since(start); polled >= spin {
			return polled, true
		}
	}
}
