//go:build !linux

package engine

import "time"

// threadWaits is unknown off Linux.
func threadWaits() map[int]time.Duration { return nil }
