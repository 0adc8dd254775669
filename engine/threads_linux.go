package engine

// threadCount returns the process's number of threads.
func threadCount() (int, bool) {
	n, ok := procField("/proc/self/status", "Threads:")
	return int(n), ok
}
