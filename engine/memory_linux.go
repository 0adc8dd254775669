package engine

// physicalMemory returns the machine's memory.
func physicalMemory() (int64, bool) {
	kb, ok := procField("/proc/meminfo", "MemTotal:")
	return kb << 10, ok && kb > 0
}
