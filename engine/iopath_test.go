package engine

import "testing"

// TestChoosePath: --io thread runs thread loops while their Ps fit, and
// past that what auto would, never loops beyond the Ps; raw and netconn
// are what they say.
func TestChoosePath(t *testing.T) {
	for _, n := range []int{1, 4, 2 * MaxStreams} {
		if got := choosePath(IOThread, n, true); got != pathThread {
			t.Errorf("thread, %d streams that fit: %v, want thread loops", n, got)
		}
		got, auto := choosePath(IOThread, n, false), choosePath(IOAuto, n, false)
		if got == pathThread || got != auto {
			t.Errorf("thread, %d streams that do not fit: %v, want auto's %v", n, got, auto)
		}
		for _, fits := range []bool{true, false} {
			if got := choosePath(IORaw, n, fits); got != pathRaw {
				t.Errorf("raw, %d streams, fit %v: %v", n, fits, got)
			}
			if got := choosePath(IONetConn, n, fits); got != pathNetConn {
				t.Errorf("netconn, %d streams, fit %v: %v", n, fits, got)
			}
		}
	}
}
