package engine

import (
	"runtime"
	"sync"

	"github.com/goperf/goperf/sockopt"
)

// choosePath picks the I/O path of a test's streams under mode. auto is
// the measured best (README, "How the data moves"): thread loops wherever
// the platform has them, while the Ps they would need stay within
// maxThreadProcs; raw calls through the poller while each stream can keep
// a P to itself; net.Conn otherwise. fits says whether the thread loops'
// Ps fit.
//
// thread, asked for, runs thread loops while their Ps fit, and past that
// what auto would: a loop sleeping in its raw call holds its P, so loops
// beyond the Ps wait for others' calls to end, up to threadBackstop each
// (128 streams each way in one process, 512 loops on 256 Ps, ran a 0.5 s
// test past the server's limit one time in four).
func choosePath(mode IOMode, n int, fits bool) ioPath {
	switch mode {
	case IORaw:
		return pathRaw
	case IONetConn:
		return pathNetConn
	case IOThread:
		if fits {
			return pathThread
		}
	}
	switch {
	case sockopt.BlockingIO && fits:
		return pathThread
	case sockopt.RawIO && n < runtime.GOMAXPROCS(0):
		return pathRaw
	}
	return pathNetConn
}

// threadProcs counts the streams running thread loops and keeps a P for
// each of them and for the other goroutines: a loop sleeping in its call
// holds its P, and a loop without one cannot run until another's call
// ends. It raises GOMAXPROCS as loops start; when the last loop ends it
// puts GOMAXPROCS back and ends the threads the loops left (reapThreads),
// so that the process is as it was before the first.
type threadProcs struct {
	mu      sync.Mutex
	streams int
	procs   int // GOMAXPROCS when the first loop began
	threads int // the process's threads then; 0 = unknown
}

// maxThreadProcs caps the GOMAXPROCS that thread loops ask for. Past it,
// auto runs a test's streams through the poller instead.
const maxThreadProcs = 256

// fits reports whether n more loops would stay within maxThreadProcs.
func (tp *threadProcs) fits(n int) bool {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return runtime.GOMAXPROCS(0)+n <= maxThreadProcs
}

// add counts n loops that are about to start and makes room for them.
func (tp *threadProcs) add(n int) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	if tp.streams == 0 {
		tp.procs = runtime.GOMAXPROCS(0)
		tp.threads, _ = threadCount()
	}
	tp.streams += n
	if want := min(tp.procs+tp.streams, maxThreadProcs); runtime.GOMAXPROCS(0) < want {
		runtime.GOMAXPROCS(want)
	}
}

// done forgets n loops that have ended; after the last, it ends the
// threads the loops left (reapThreads).
func (tp *threadProcs) done(n int) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	if tp.streams -= n; tp.streams > 0 {
		return
	}
	runtime.GOMAXPROCS(tp.procs)
	if tp.threads > 0 {
		reapThreads(tp.threads)
	}
}

// procs counts the thread loops of the whole process. It is the package's
// one piece of shared state, because what it manages, GOMAXPROCS, is the
// process's: a server and clients in one process (tests, a library user
// running tests at once) must count their loops together, or loops would
// outnumber the Ps.
var procs threadProcs
