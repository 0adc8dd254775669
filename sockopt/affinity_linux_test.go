//go:build !goperf_portable

package sockopt

import (
	"os"
	"runtime"
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

// The test binary's main goroutine keeps the main thread (LockOSThread in
// an init does that), as a placed stream goroutine that ran there keeps it
// in goperf: no other goroutine runs on it while it is placed.
func init() { runtime.LockOSThread() }

// A placed main thread does not shrink the process's cores: a stream
// goroutine that ran on the main thread leaves it placed (the runtime
// parks that thread rather than end it), and AllowedCPUs once read that
// thread's mask. The test places the main thread by its id, as such a
// stream does, and puts its mask back.
func TestAllowedCPUsBesidePlacedMainThread(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("needs two cores")
	}
	before, err := AllowedCPUs()
	if err != nil {
		t.Fatal(err)
	}
	if len(before) < 2 {
		t.Skipf("this process may run on %v only", before)
	}
	var saved, one unix.CPUSet
	if err := unix.SchedGetaffinity(os.Getpid(), &saved); err != nil {
		t.Fatal(err)
	}
	one.Set(before[0])
	if err := unix.SchedSetaffinity(os.Getpid(), &one); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.SchedSetaffinity(os.Getpid(), &saved) })
	after, err := AllowedCPUs()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(after, before) {
		t.Errorf("with the main thread on core %d, AllowedCPUs = %v, want %v", before[0], after, before)
	}
}
