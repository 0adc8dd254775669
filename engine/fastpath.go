package engine

import (
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/goperf/goperf/engine/wire"
	"github.com/goperf/goperf/sockopt"
)

// The fast paths are iperf3's -Z, --skip-rx-copy and -A, done per stream:
//
//   - zero copy: a TCP sender hands the kernel its block without copying
//     it (sockopt.ZeroCopy); the block is never rewritten, so a send never
//     waits for an earlier one's completion, and the completions are
//     counted to the last before the stream ends (zeroCopyFinish).
//   - skip rx copy: a TCP receiver lets the kernel discard what it reads
//     (MSG_TRUNC) and counts the bytes; a UDP receiver copies each
//     datagram's header only, which is all its account reads.
//   - placement: each stream's thread is locked and pinned to one core of
//     a list, stream i on cpus[i mod len], and the core it ran on is read
//     back at the end (StreamPath.CPU), not assumed.
//
// All three need the stream's descriptor: zero copy and skip rx copy run
// in the thread and raw paths, placement in the thread path only, where a
// stream owns its thread. --io auto picks a path that has them.

// zeroCopyFinish bounds the wait, after a zero-copy sender stops, for the
// kernel to report its last sends complete: they are done once the peer
// has taken the data, which it does while the test ends.
const zeroCopyFinish = 2 * time.Second

// checkFastPaths reports, with iperf3's codes, what of spec's fast paths
// and the placement cpus this build and the I/O mode cannot do.
func checkFastPaths(spec *Spec, mode IOMode, cpus []int) error {
	raw := mode != IONetConn
	switch {
	case spec.ZeroCopy && spec.Proto == TCP && !sockopt.RawIO:
		return specErr(wire.CodeNoSendfile, "this OS does not support sendfile (-Z needs goperf's Linux build)")
	case spec.ZeroCopy && spec.Proto == TCP && !raw:
		return specErr(wire.CodeNoSendfile, "-Z needs the stream's descriptor: --io auto, thread or raw, not netconn")
	case spec.SkipRxCopy && !sockopt.RawIO:
		return specErr(wire.CodeSkipRxCopy, "this OS does not support --skip-rx-copy (it needs goperf's Linux build)")
	case spec.SkipRxCopy && !raw:
		return specErr(wire.CodeSkipRxCopy, "--skip-rx-copy needs the stream's descriptor: --io auto, thread or raw, not netconn")
	}
	return checkCPUs(cpus, mode)
}

// checkCPUs reports what keeps cpus from placing the stream threads.
func checkCPUs(cpus []int, mode IOMode) error {
	if len(cpus) == 0 {
		return nil
	}
	allowed, err := sockopt.AllowedCPUs()
	if err != nil {
		return specErr(wire.CodeAffinity, "unable to set CPU affinity: %v", err)
	}
	for _, c := range cpus {
		if !slices.Contains(allowed, c) {
			return specErr(wire.CodeAffinity, "unable to set CPU affinity: CPU %d is not one this process may run on (%s)", c, cpuList(allowed))
		}
	}
	if !sockopt.BlockingIO || (mode != IOAuto && mode != IOThread) {
		return specErr(wire.CodeAffinity, "unable to set CPU affinity: placing streams needs a thread per stream (goperf's Linux build, --io auto or thread)")
	}
	return nil
}

// cpuList writes cores as a kernel CPU list: "0-3,6".
func cpuList(cpus []int) string {
	s := ""
	for i := 0; i < len(cpus); {
		j := i
		for j+1 < len(cpus) && cpus[j+1] == cpus[j]+1 {
			j++
		}
		if s != "" {
			s += ","
		}
		if s += fmt.Sprint(cpus[i]); j > i {
			s += fmt.Sprintf("-%d", cpus[j])
		}
		i = j + 1
	}
	return s
}

// fastPathIO is the path a test with fast paths needs when mode is auto
// and choosePath picked path: the thread path for placement, the raw one
// at least for zero copy and skip rx copy.
func fastPathIO(path ioPath, spec *Spec, placed bool) ioPath {
	switch {
	case placed && sockopt.BlockingIO:
		return pathThread
	case path == pathNetConn && (spec.ZeroCopy || spec.SkipRxCopy) && sockopt.RawIO:
		return pathRaw
	}
	return path
}

// fast is a stream's fast paths: what it asked, and what the kernel did.
type fast struct {
	zc      *sockopt.ZeroCopy // nil unless a zero-copy TCP sender
	zcStats sockopt.ZeroCopyStats
	skipRx  bool  // a TCP or UDP receiver that discards the payload
	cpu     int   // the core asked; -1 for none
	allowed []int // the cores the thread may run on, read back after pinning
	ranOn   int   // the core the thread ran on at the end; -1 unknown
}

// setFast prepares the stream's fast paths from spec, with cpu its core
// (-1: none), once its I/O path is settled (setPath), and binds the
// loops' calls for them, once: send and recv.
func (s *stream) setFast(spec *Spec, cpu int) error {
	s.fast = fast{cpu: cpu, ranOn: -1}
	switch {
	case cpu >= 0 && s.path != pathThread:
		return specErr(wire.CodeAffinity, "unable to set CPU affinity: stream %d does not run on a thread of its own (--io %v)", s.id, s.path)
	case s.udp != nil:
		return nil // UDP: skip rx copy is the batcher's (prepareUDP); zero copy is TCP's
	case spec.ZeroCopy && s.sender:
		sc, ok := s.conn.(syscall.Conn)
		if !ok {
			return fmt.Errorf("stream %d: zero copy without a descriptor", s.id)
		}
		zc, err := sockopt.NewZeroCopy(sc, spec.ZeroCopyMode, s.buf)
		if err != nil {
			return specErr(wire.CodeNoSendfile, "stream %d: zero copy: %v", s.id, err)
		}
		s.zc, s.send = zc, zc.Send
	case spec.SkipRxCopy && !s.sender:
		s.skipRx, s.recv = true, sockopt.RecvDiscard
	}
	return nil
}

// pin locks the stream's goroutine to its thread and places the thread on
// the stream's core. The goroutine ends locked (run.loop), so the runtime
// ends the thread instead of giving a placed thread to others.
func (s *stream) pin() error {
	if s.cpu < 0 {
		return nil
	}
	runtime.LockOSThread()
	allowed, err := sockopt.PinThread([]int{s.cpu})
	if err != nil {
		return specErr(wire.CodeAffinity, "unable to set CPU affinity: stream %d on CPU %d: %v", s.id, s.cpu, err)
	}
	s.allowed = allowed
	return nil
}

// unpin reads back where the placed thread ran.
func (s *stream) unpin() {
	if s.cpu >= 0 {
		s.ranOn = sockopt.ThreadCPU()
	}
}

// finishZeroCopy waits for the completions of a zero-copy sender's sends,
// unless the loop ended on a failure, when nobody takes the data. The test
// stops a raw sender with a past deadline, which is no failure.
func (s *stream) finishZeroCopy(err error) {
	if s.zc == nil {
		return
	}
	if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) || s.rc == nil {
		s.zcStats = s.zc.Stats()
		return
	}
	_ = s.rc.Control(func(fd uintptr) { s.zcStats = s.zc.Finish(int(fd), zeroCopyFinish) })
}

// closeFast releases what the fast paths hold once the loop is done.
func (s *stream) closeFast() {
	if s.zc != nil {
		_ = s.zc.Close()
	}
}

// fqWarning returns a warning when the local UDP senders of spec are to
// be paced by --fq-rate from a device without the fq qdisc, which alone
// paces UDP; "" otherwise.
func fqWarning(spec *Spec, streams []*stream) string {
	if spec.FQRate == 0 || spec.Proto != UDP || !slices.ContainsFunc(streams, func(s *stream) bool { return s.sender }) {
		return ""
	}
	addr, ok := streams[0].conn.LocalAddr().(*net.UDPAddr)
	if !ok {
		return ""
	}
	fq, dev, kinds, err := sockopt.PacedByFQ(addr.IP)
	switch {
	case err != nil:
		return fmt.Sprintf("warning: --fq-rate: only the fq qdisc paces UDP, and whether the device of %v has one is unknown: %v", addr.IP, err)
	case !fq && len(kinds) == 0:
		return fmt.Sprintf("warning: --fq-rate: only the fq qdisc paces UDP, and %s has no qdisc: the rate is not enforced", dev)
	case !fq:
		return fmt.Sprintf("warning: --fq-rate: only the fq qdisc paces UDP, and %s has %s: the rate is not enforced", dev, strings.Join(kinds, ", "))
	}
	return ""
}

// cpuFor returns stream i's core from cpus, or -1.
func cpuFor(cpus []int, i int) int {
	if len(cpus) == 0 {
		return -1
	}
	return cpus[i%len(cpus)]
}

// pathOf reports how the stream moved its data, for the summary.
func (s *stream) pathOf() StreamPath {
	p := StreamPath{IO: s.path.String(), CPU: s.ranOn, Allowed: s.allowed, SkipRxCopy: s.skipRx}
	if s.udp != nil && !s.sender {
		p.SkipRxCopy = s.udp.trunc
	}
	if s.zc != nil {
		st := s.zcStats
		p.ZeroCopy = &st
	}
	return p
}
