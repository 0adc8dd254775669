package engine

import (
	"bytes"
	"os"
	"strconv"
	"time"
)

// threadWaits returns how long each of the process's threads has waited
// on a run queue, by thread id: the second field of
// /proc/self/task/TID/schedstat, in nanoseconds. nil when unreadable.
func threadWaits() map[int]time.Duration {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil
	}
	waits := make(map[int]time.Duration, len(tasks))
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/self/task/" + t.Name() + "/schedstat")
		if err != nil {
			continue // the thread ended meanwhile
		}
		if f := bytes.Fields(b); len(f) >= 2 {
			if ns, err := strconv.ParseInt(string(f[1]), 10, 64); err == nil {
				waits[tid] = time.Duration(ns)
			}
		}
	}
	return waits
}
