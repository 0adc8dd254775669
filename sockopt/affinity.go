package sockopt

// CPU affinity places the calling OS thread on chosen cores
// (sched_setaffinity(2)), as iperf3's -A places its process. A goroutine
// must be locked to its thread (runtime.LockOSThread) for a placement to
// mean anything, and should end locked, so that the runtime ends the
// thread rather than hand a placed thread to other goroutines. Where
// affinity is not available the calls return ErrUnsupported and
// ThreadCPU returns -1.

// PinThread restricts the calling thread to cpus and returns the set the
// kernel then reports, which is what the thread may run on.
func PinThread(cpus []int) ([]int, error) { return pinThread(cpus) }

// ThreadCPU returns the core the calling thread runs on now (getcpu(2)),
// or -1 where unknown.
func ThreadCPU() int { return threadCPU() }

// AllowedCPUs returns the cores the process may run on.
func AllowedCPUs() ([]int, error) { return allowedCPUs() }
