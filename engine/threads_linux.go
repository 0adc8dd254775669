package engine

import (
	"bytes"
	"os"
	"strconv"
)

// threadCount returns the process's number of threads, from
// /proc/self/status.
func threadCount() (int, bool) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	_, rest, found := bytes.Cut(b, []byte("\nThreads:"))
	if !found {
		return 0, false
	}
	line, _, _ := bytes.Cut(rest, []byte("\n"))
	n, err := strconv.Atoi(string(bytes.TrimSpace(line)))
	return n, err == nil
}
