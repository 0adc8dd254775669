//go:build !unix

package engine

import "time"

// processCPU is unknown here; CPU utilisation reads as 0.
func processCPU() (user, system time.Duration) { return 0, 0 }
