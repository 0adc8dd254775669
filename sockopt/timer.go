package sockopt

import "time"

// Sleep and SetTimerSlack serve a sender that keeps a schedule finer than
// Go's timers, which may fire a millisecond late on Linux (the runtime
// waits in epoll with millisecond timeouts). On Linux, Sleep is a
// nanosleep(2) that blocks the calling thread; with the thread's timer
// slack set to a nanosecond it wakes within some tens of microseconds of
// d instead of the default slack's 50 µs or more. Elsewhere Sleep is
// time.Sleep and SetTimerSlack returns ErrUnsupported.

// Sleep pauses the calling goroutine, and on Linux its thread, for d.
func Sleep(d time.Duration) {
	sleep(d)
}

// SetTimerSlack sets the calling thread's timer slack in nanoseconds and
// returns the previous value. Lock the goroutine to its thread
// (runtime.LockOSThread) before, and restore the value before unlocking.
func SetTimerSlack(ns int) (prev int, err error) {
	return setTimerSlack(ns)
}
