package attrib

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/pprof/profile"
)

const module = "github.com/goperf/goperf/"

// stackProfile builds a CPU profile with one sample per stack, each stack
// leaf first, each sample worth its value in nanoseconds.
func stackProfile(stacks [][]string, values []int64) *profile.Profile {
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     10_000_000,
	}
	funcs := map[string]*profile.Function{}
	for i, stack := range stacks {
		s := &profile.Sample{Value: []int64{1, values[i]}}
		for _, name := range stack {
			f := funcs[name]
			if f == nil {
				f = &profile.Function{ID: uint64(len(funcs) + 1), Name: name}
				funcs[name] = f
				p.Function = append(p.Function, f)
			}
			loc := &profile.Location{ID: uint64(len(p.Location) + 1), Line: []profile.Line{{Function: f}}}
			p.Location = append(p.Location, loc)
			s.Location = append(s.Location, loc)
		}
		p.Sample = append(p.Sample, s)
	}
	return p
}

// TestAttribute checks each rule on a made-up profile whose answer is
// known, and that the categories add up to the whole.
func TestAttribute(t *testing.T) {
	write := []string{"syscall.write", "internal/poll.(*FD).Write", "net.(*conn).Write", module + "engine.(*stream).send"}
	tests := []struct {
		stack []string
		want  Category
	}{
		{append([]string{"internal/runtime/syscall/linux.Syscall6", "syscall.RawSyscall6", "syscall.Syscall"}, write...), Syscall},
		{append([]string{"runtime/internal/syscall.Syscall6", "syscall.Syscall"}, write...), Syscall},
		{append([]string{"runtime.exitsyscall", "syscall.Syscall"}, write...), Scheduler},
		{[]string{"runtime.futex", "runtime.notesleep", "runtime.stopm", "runtime.findRunnable", "runtime.schedule", "runtime.park_m"}, Scheduler},
		{[]string{"runtime.epollwait", "runtime.netpoll", "runtime.findRunnable"}, Scheduler},
		{append([]string{"internal/poll.runtime_pollWait", "internal/poll.(*pollDesc).wait"}, write[1:]...), Scheduler},
		{[]string{"runtime.memmove", module + "engine.fill"}, Memcopy},
		{[]string{"runtime.nextFreeFast", "runtime.mallocgc", "runtime.makeslice", module + "engine.newBuffer"}, GC},
		{[]string{"runtime.scanobject", "runtime.gcDrain", "runtime.gcBgMarkWorker"}, GC},
		{[]string{module + "engine.(*pacer).wait", module + "engine.(*stream).send"}, Engine},
		{[]string{"internal/poll.(*fdMutex).rwlock", "internal/poll.(*FD).writeLock"}, Other},
		{[]string{"runtime.unknownNewThing", "runtime.goexit"}, Other},
		{[]string{"runtime.unknownNewThing", module + "bench.plainStream"}, Engine},
	}
	var stacks [][]string
	var values []int64
	var want Breakdown
	for i, tt := range tests {
		v := int64(10_000_000 * (i + 1))
		stacks, values = append(stacks, tt.stack), append(values, v)
		want.Time[tt.want] += v
		want.Total += v
		if got := classifyStack(stackProfile(stacks[i:], values[i:]).Sample[0], module); got != tt.want {
			t.Errorf("%v: %v, want %v", tt.stack, got, tt.want)
		}
	}
	got, err := Attribute(stackProfile(stacks, values), module)
	if err != nil {
		t.Fatal(err)
	}
	if *got != want {
		t.Errorf("breakdown %+v, want %+v", *got, want)
	}
	checkSums(t, got)
}

// TestAttributeInlined: an inlined frame is read before the function it
// was inlined into.
func TestAttributeInlined(t *testing.T) {
	p := stackProfile([][]string{{module + "engine.loop"}}, []int64{5})
	f := &profile.Function{ID: 99, Name: "runtime.memmove"}
	p.Function = append(p.Function, f)
	loc := p.Sample[0].Location[0]
	loc.Line = append([]profile.Line{{Function: f}}, loc.Line...)
	if got := classifyStack(p.Sample[0], module); got != Memcopy {
		t.Errorf("inlined memmove: %v", got)
	}
}

// TestRealProfile reads a CPU profile of BenchmarkPlainConn (1 KiB writes,
// 4 streams) checked into testdata: every sample is counted once, and
// the write system call is where most of the sender's time goes.
func TestRealProfile(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "testdata", "pprof", "plain-1k-p4.pprof"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := Read(f, module)
	if err != nil {
		t.Fatal(err)
	}
	checkSums(t, b)
	if b.Total < 500e6 {
		t.Errorf("total %v ns, the profile holds about 980 ms", b.Total)
	}
	if s := b.Share(Syscall); s < 0.5 {
		t.Errorf("syscall share %.2f; the profile shows 93%% in write(2)", s)
	}
	for _, c := range Categories() {
		t.Logf("%-20s %5.1f%%", c, 100*b.Share(c))
	}
}

// TestNotCPU refuses a profile without CPU time.
func TestNotCPU(t *testing.T) {
	p := &profile.Profile{SampleType: []*profile.ValueType{{Type: "alloc_space", Unit: "bytes"}}}
	if _, err := Attribute(p, module); err == nil {
		t.Error("a heap profile was attributed")
	}
}

// checkSums fails t unless the categories add up to the total.
func checkSums(t *testing.T, b *Breakdown) {
	t.Helper()
	var sum int64
	var share float64
	for _, c := range Categories() {
		sum += b.Time[c]
		share += b.Share(c)
	}
	if sum != b.Total || (b.Total > 0 && (share < 0.999999 || share > 1.000001)) {
		t.Errorf("categories sum to %d ns (share %v), total %d", sum, share, b.Total)
	}
}
