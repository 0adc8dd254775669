//go:build !linux

package engine

import "time"

// threadWaits is unknown off Linux.
func threadWaits() map[int]time.Duration { return nil }

// ownWait is unknown off Linux.
func ownWait() (int, time.Duration, bool) { return 0, 0, false }
