//go:build !linux || goperf_portable

package sockopt

import (
	"syscall"
	"time"
)

// BlockingIO reports whether DupBlocking, SendBlocking, RecvBlocking and
// WaitReadable are available.
const BlockingIO = false

func dupBlocking(int, time.Duration) (int, error)           { return -1, ErrUnsupported }
func sendBlocking(int, []byte) (int, syscall.Errno)         { return -1, syscall.ENOSYS }
func recvBlocking(int, []byte) (int, syscall.Errno)         { return -1, syscall.ENOSYS }
func waitReadable(int, time.Duration) (bool, syscall.Errno) { return false, syscall.ENOSYS }
func recvAwake(int, []byte, bool, *Spinner) (int, time.Duration, syscall.Errno) {
	return -1, 0, syscall.ENOSYS
}
func shutdown(int, bool, bool) error { return ErrUnsupported }
