package engine

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
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
		if w, ok := schedWait("/proc/self/task/" + t.Name() + "/schedstat"); ok {
			waits[tid] = w
		} // else the thread ended meanwhile
	}
	return waits
}

// ownWait returns the calling thread's id and how long it has waited on a
// run queue. The caller is locked to its thread.
func ownWait() (tid int, waited time.Duration, ok bool) {
	waited, ok = schedWait("/proc/thread-self/schedstat")
	return syscall.Gettid(), waited, ok
}

// schedWait reads the run-queue wait of a schedstat file.
func schedWait(path string) (time.Duration, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0, false
	}
	ns, err := strconv.ParseInt(string(f[1]), 10, 64)
	return time.Duration(ns), err == nil
}
