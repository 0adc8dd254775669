package engine

import (
	"runtime"
	"sync"
)

// The runtime keeps every thread it has made, idle, for the life of the
// process. A test's thread loops end their own threads (run.loop), but the
// goroutines that ran beside them leave some more. When the last thread
// loop of the process ends, reapThreads ends the threads beyond those the
// process had when the first began, so that a long-running server holds
// the threads of the tests it is running, not of the most it ever ran.

// reapThreads ends threads until the process has before, in rounds: the
// runtime may make a thread while a round runs, which the next ends.
func reapThreads(before int) {
	for range reapRounds {
		now, ok := threadCount()
		if !ok || now <= before {
			return
		}
		reap(min(now-before, maxReap))
	}
}

// Bounds of reapThreads.
const (
	reapRounds = 4
	maxReap    = 1024
)

// reap ends k threads: k goroutines lock themselves to threads of their
// own, which the runtime takes from its idle ones first, and exit locked,
// which makes the runtime end those threads.
func reap(k int) {
	var locked, exited sync.WaitGroup
	release := make(chan struct{})
	locked.Add(k)
	exited.Add(k)
	for range k {
		go func() {
			defer exited.Done()
			runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
			locked.Done()
			<-release
		}()
	}
	locked.Wait() // all k hold a thread at once, so they are k threads
	close(release)
	exited.Wait()
}
