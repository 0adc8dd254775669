package attrib

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/google/pprof/profile"
)

// Category is where a CPU sample's time went.
type Category int

// The categories, in the order reports list them.
const (
	Syscall   Category = iota // write(2) and read(2): the kernel's share, seen from the calling frame
	Scheduler                 // the runtime's netpoller, scheduler and syscall bookkeeping
	Memcopy                   // memmove and memclr in user space
	GC                        // allocation and garbage collection
	Engine                    // the program's own code: goperf's engine, or the plain loop
	Other                     // the standard library's own work (poll.FD, net.conn), the rest of the runtime
	numCategories
)

var categoryNames = [numCategories]string{"syscall", "netpoller+scheduler", "memcopy", "GC", "engine", "other"}

func (c Category) String() string {
	if c < 0 || c >= numCategories {
		return fmt.Sprintf("Category(%d)", int(c))
	}
	return categoryNames[c]
}

// Categories returns every category in report order.
func Categories() []Category {
	cs := make([]Category, numCategories)
	for i := range cs {
		cs[i] = Category(i)
	}
	return cs
}

// Breakdown is a profile's CPU time by category.
type Breakdown struct {
	Time  [numCategories]int64 // nanoseconds of CPU
	Total int64                // the profile's whole CPU time; the sum of Time
}

// Share returns c's fraction of the whole.
func (b *Breakdown) Share(c Category) float64 {
	if b.Total == 0 {
		return 0
	}
	return float64(b.Time[c]) / float64(b.Total)
}

// Read parses a profile (gzipped protobuf, as -cpuprofile writes it) and
// attributes it.
func Read(r io.Reader, module string) (*Breakdown, error) {
	p, err := profile.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("parsing profile: %w", err)
	}
	return Attribute(p, module)
}

// Attribute assigns each sample of a CPU profile to exactly one category
// and sums their CPU time. module is the import path prefix of the
// program's own code, such as "github.com/goperf/goperf/".
//
// A sample's stack is read from the leaf toward the root, and the first
// frame that belongs to a category decides (see classify). Go's profiler
// sees kernel time from the frame that made the system call, so a write's
// copy into the socket buffer counts as syscall time, and a thread parked
// in futex counts as scheduler time.
func Attribute(p *profile.Profile, module string) (*Breakdown, error) {
	vi, err := cpuIndex(p)
	if err != nil {
		return nil, err
	}
	var b Breakdown
	for _, s := range p.Sample {
		v := s.Value[vi]
		b.Time[classifyStack(s, module)] += v
		b.Total += v
	}
	return &b, nil
}

// cpuIndex finds the sample value that holds CPU time.
func cpuIndex(p *profile.Profile) (int, error) {
	for i, st := range p.SampleType {
		if st.Type == "cpu" && st.Unit == "nanoseconds" {
			return i, nil
		}
	}
	return 0, fmt.Errorf("not a CPU profile: sample types %v", p.SampleType)
}

// classifyStack walks a sample's frames, leaf first, inlined frames
// included, and returns the first category that claims one.
func classifyStack(s *profile.Sample, module string) Category {
	for _, loc := range s.Location {
		// Lines are innermost first: an inlined callee before its caller.
		for _, ln := range loc.Line {
			if ln.Function == nil {
				continue
			}
			if c, ok := classify(ln.Function.Name, module); ok {
				return c
			}
		}
	}
	return Other
}

// classify names the category of one function, if it has one.
func classify(fn, module string) (Category, bool) {
	switch {
	case slices.Contains(memcopyFuncs, fn):
		return Memcopy, true
	case hasAnyPrefix(fn, gcPrefixes):
		return GC, true
	case slices.Contains(schedulerFuncs, fn) || hasAnyPrefix(fn, schedulerPrefixes):
		return Scheduler, true
	case hasAnyPrefix(fn, syscallPrefixes):
		return Syscall, true
	case hasAnyPrefix(fn, stdlibPrefixes):
		return Other, true
	case module != "" && strings.HasPrefix(fn, module):
		return Engine, true
	}
	return 0, false
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// The frames that decide a category. Runtime names are from Go 1.21 to
// 1.26; a renamed function falls through to the next frame up, and at
// worst to Other.
var (
	memcopyFuncs = []string{"runtime.memmove", "runtime.memclrNoHeapPointers", "runtime.memclrNoHeapPointersChunked"}

	gcPrefixes = []string{
		"runtime.gcBgMarkWorker", "runtime.gcDrain", "runtime.gcAssistAlloc", "runtime.scanobject",
		"runtime.scanblock", "runtime.scanstack", "runtime.markroot", "runtime.greyobject",
		"runtime.mallocgc", "runtime.newobject", "runtime.makeslice", "runtime.growslice",
		"runtime.bgsweep", "runtime.sweepone", "runtime.bgscavenge", "runtime.gcStart", "runtime.gcMark",
		"runtime.(*mheap)", "runtime.(*mcache)", "runtime.(*mcentral)", "runtime.(*gcWork)",
		"runtime.(*mspan)", "runtime.(*sweepLocked)", "runtime.wbBuf", "runtime.gcWriteBarrier",
	}

	schedulerFuncs = []string{
		"runtime.futex", "runtime.usleep", "runtime.osyield", "runtime.nanotime1",
		"runtime.notesleep", "runtime.notetsleep", "runtime.notetsleepg", "runtime.notewakeup",
		"runtime.mcall", "runtime.gopark", "runtime.goready", "runtime.ready", "runtime.park_m",
		"runtime.schedule", "runtime.findRunnable", "runtime.stopm", "runtime.startm", "runtime.wakep",
		"runtime.handoffp", "runtime.runqget", "runtime.runqgrab", "runtime.runqsteal", "runtime.execute",
		"runtime.goexit0", "runtime.gosched_m", "runtime.sysmon", "runtime.retake", "runtime.checkTimers",
		"runtime.casgstatus", "runtime.mPark", "runtime.lock2", "runtime.unlock2",
	}

	schedulerPrefixes = []string{
		"runtime.netpoll", "runtime.epoll", "internal/poll.runtime_poll", "runtime.poll_runtime",
		"runtime.entersyscall", "runtime.exitsyscall", "runtime.reentersyscall",
		"runtime.(*timer", "runtime.(*timers)", "runtime.(*waitq)", "runtime.selectgo", "runtime.chan",
	}

	// The standard library's own work between a program and its system
	// calls (poll.FD's locks, net.conn) is Other, not the caller's.
	stdlibPrefixes = []string{"internal/poll.", "net.", "os.", "io.", "time.", "fmt.", "encoding/", "sync.", "bufio."}

	syscallPrefixes = []string{
		"internal/runtime/syscall", "runtime/internal/syscall", "syscall.", "golang.org/x/sys/unix.",
	}
)
