package engine

import (
	"bytes"
	"os"
	"strconv"
)

// physicalMemory returns the machine's memory, from /proc/meminfo.
func physicalMemory() (int64, bool) {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	_, rest, ok := bytes.Cut(b, []byte("MemTotal:"))
	if !ok {
		return 0, false
	}
	line, _, _ := bytes.Cut(rest, []byte("\n"))
	kb, err := strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(line), []byte(" kB"))), 10, 64)
	return kb << 10, err == nil && kb > 0
}
