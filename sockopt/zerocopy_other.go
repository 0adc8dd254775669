//go:build !linux || goperf_portable

package sockopt

import (
	"syscall"
	"time"
)

// ZeroCopy is not available here: NewZeroCopy returns ErrUnsupported.
type ZeroCopy struct{}

func newZeroCopy(int, ZeroCopyMode, []byte) (*ZeroCopy, error) { return nil, ErrUnsupported }

// Send returns ENOSYS.
func (*ZeroCopy) Send(int, []byte) (int, syscall.Errno) { return -1, syscall.ENOSYS }

// Finish returns nothing done.
func (*ZeroCopy) Finish(int, time.Duration) ZeroCopyStats { return ZeroCopyStats{} }

// Stats returns nothing done.
func (*ZeroCopy) Stats() ZeroCopyStats { return ZeroCopyStats{} }

// Close does nothing.
func (*ZeroCopy) Close() error { return nil }
