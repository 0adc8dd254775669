//go:build !linux

package engine

// threadCount is unknown here; thread loops are Linux's.
func threadCount() (int, bool) { return 0, false }
