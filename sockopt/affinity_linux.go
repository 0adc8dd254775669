//go:build !goperf_portable

package sockopt

import (
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

func pinThread(cpus []int) ([]int, error) {
	var set unix.CPUSet
	for _, c := range cpus {
		if c < 0 || c >= len(set)*64 {
			return nil, fmt.Errorf("CPU %d out of range", c)
		}
		set.Set(c)
	}
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		return nil, os.NewSyscallError("sched_setaffinity", err)
	}
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil, os.NewSyscallError("sched_getaffinity", err)
	}
	return cpuList(&set), nil
}

func threadCPU() int {
	var cpu uint32
	if _, _, e := unix.RawSyscall(unix.SYS_GETCPU, uintptr(unsafe.Pointer(&cpu)), 0, 0); e != 0 {
		return -1
	}
	return int(cpu)
}

// allowedCPUs reads the mask of a thread no stream placed: that of a new
// goroutine, which runs on none of the threads PinThread placed (they stay
// locked to their goroutines) and on a thread whose mask is the process's
// (the runtime makes new threads from an unplaced one). Reading by the
// process's id would read its main thread, which a placed goroutine that
// ran there leaves placed for good: the runtime parks the main thread
// instead of ending it, and a server then refused every core but that one.
func allowedCPUs() ([]int, error) {
	type answer struct {
		cpus []int
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		var set unix.CPUSet
		if err := unix.SchedGetaffinity(0, &set); err != nil {
			got <- answer{err: os.NewSyscallError("sched_getaffinity", err)}
			return
		}
		got <- answer{cpus: cpuList(&set)}
	}()
	a := <-got
	return a.cpus, a.err
}

// cpuList lists the cores in set, in order.
func cpuList(set *unix.CPUSet) []int {
	var cpus []int
	for c := range len(set) * 64 {
		if set.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	return cpus
}
