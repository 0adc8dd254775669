//go:build !goperf_portable

package sockopt

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

func sleep(d time.Duration) {
	ts := unix.NsecToTimespec(int64(d))
	_ = unix.Nanosleep(&ts, nil) // EINTR only shortens the pause; the caller checks the clock
}

func setTimerSlack(ns int) (int, error) {
	prev, err := unix.PrctlRetInt(unix.PR_GET_TIMERSLACK, 0, 0, 0, 0)
	if err != nil {
		return 0, os.NewSyscallError("prctl", err)
	}
	if err := unix.Prctl(unix.PR_SET_TIMERSLACK, uintptr(ns), 0, 0, 0); err != nil {
		return prev, os.NewSyscallError("prctl", err)
	}
	return prev, nil
}
