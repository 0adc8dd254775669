//go:build !linux

package engine

// physicalMemory is unknown here.
func physicalMemory() (int64, bool) { return 0, false }
