//go:build !goperf_portable

package sockopt

import (
	"fmt"
	"os"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ZeroCopy sends a TCP stream's block without copying it; see NewZeroCopy.
// One goroutine uses it, and Stats is read after that goroutine is done.
type ZeroCopy struct {
	stats ZeroCopyStats

	// sendfile
	file *os.File // the block, in an unlinked file
	ffd  int
	off  int64 // sendfile's offset: 0 before every call

	// MSG_ZEROCOPY: completions are read from the error queue every
	// reapEvery sends, and whenever the kernel refuses a send for want of
	// option memory (ENOBUFS), which the unread completions hold.
	sinceReap int
	adapt     bool // ZeroCopyAuto: switch to sendfile if the kernel copies (switchAfter)
	msg       unix.Msghdr
	oob       [256]byte
	pfd       [1]unix.PollFd
}

// reapEvery is how many MSG_ZEROCOPY sends go between readings of the
// error queue. The kernel merges the completions of consecutive sends into
// one notification, so a reading usually finds one or none.
const reapEvery = 16

func newZeroCopy(fd int, mode ZeroCopyMode, block []byte) (*ZeroCopy, error) {
	if mode == ZeroCopySendfile {
		return newSendfile(block)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ZEROCOPY, 1); err != nil {
		if mode == ZeroCopyMsg {
			return nil, fmt.Errorf("MSG_ZEROCOPY: %w", os.NewSyscallError("setsockopt SO_ZEROCOPY", err))
		}
		return newSendfile(block)
	}
	z := &ZeroCopy{ffd: -1, stats: ZeroCopyStats{Mode: ZeroCopyMsg}}
	if mode == ZeroCopyAuto {
		sf, err := newSendfile(block) // ready for a switch
		if err != nil {
			return z, nil // no file: MSG_ZEROCOPY alone, then
		}
		z.adapt, z.file, z.ffd = true, sf.file, sf.ffd
	}
	return z, nil
}

// newSendfile puts block in a file for sendfile(2): an unlinked file in
// the temporary directory, as iperf3's -Z, else a memory file. The kind
// of file matters: on 6.18 over loopback, 128 KiB sends, alternating, a
// memory file's pages went to the socket 4 KiB at a time through shmem's
// splice (shmem_file_splice_read and its page lookups 8.7% of the
// sender's time against 4.3% for ext4's large folios), and the stream
// ran at 0.7x of iperf3 3.21's -Z.
func newSendfile(block []byte) (*ZeroCopy, error) {
	f, err := tempBlockFile()
	if err != nil {
		mfd, merr := unix.MemfdCreate("goperf-zerocopy", unix.MFD_CLOEXEC)
		if merr != nil {
			return nil, fmt.Errorf("sendfile: %w (and %w)", err, os.NewSyscallError("memfd_create", merr))
		}
		f = os.NewFile(uintptr(mfd), "goperf-zerocopy")
	}
	if _, err := f.Write(block); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("sendfile: %w", err)
	}
	return &ZeroCopy{file: f, ffd: int(f.Fd()), stats: ZeroCopyStats{Mode: ZeroCopySendfile}}, nil
}

// tempBlockFile makes an unlinked file in the temporary directory.
func tempBlockFile() (*os.File, error) {
	f, err := os.CreateTemp("", "goperf-zerocopy-*")
	if err != nil {
		return nil, err
	}
	if err := os.Remove(f.Name()); err != nil {
		_ = f.Close()
		return nil, err
	}
	return f, nil
}

// Send sends len(p) bytes of the block on fd, the socket NewZeroCopy
// prepared (or its duplicate), and never raises SIGPIPE for MSG_ZEROCOPY.
// n is -1 with a non-zero errno, as from the kernel. A send refused for
// want of option memory reads the completions that hold it and returns
// EINTR, so that the caller calls again. It allocates nothing.
func (z *ZeroCopy) Send(fd int, p []byte) (n int, errno syscall.Errno) {
	if len(p) == 0 {
		return 0, 0
	}
	if z.stats.Mode == ZeroCopySendfile {
		return z.sendfile(fd, len(p))
	}
	r, e := rawFlagged(unix.SYS_SENDTO, fd, p, unix.MSG_NOSIGNAL|unix.MSG_ZEROCOPY)
	switch {
	case e == unix.ENOBUFS:
		if z.reap(fd) == 0 {
			z.wait(fd, time.Millisecond)
		}
		return -1, unix.EINTR
	case e != 0:
		return -1, e
	}
	z.stats.Sends++
	z.stats.MsgSends++
	if z.sinceReap++; z.sinceReap >= reapEvery {
		z.reap(fd)
		z.maybeSwitch()
	}
	return r, 0
}

// maybeSwitch gives MSG_ZEROCOPY up for sendfile in ZeroCopyAuto once
// switchAfter completions have all come back copied. Sends already made
// keep being counted to their completions.
func (z *ZeroCopy) maybeSwitch() {
	if z.adapt && z.stats.Completed >= switchAfter && z.stats.Copied == z.stats.Completed {
		z.adapt, z.stats.Mode, z.stats.Switched = false, ZeroCopySendfile, true
	}
	if z.stats.Completed >= switchAfter {
		z.adapt = false // the kernel sends without copying: stay
	}
}

func (z *ZeroCopy) sendfile(fd, n int) (int, syscall.Errno) {
	z.off = 0
	r, _, e := unix.RawSyscall6(unix.SYS_SENDFILE, uintptr(fd), uintptr(z.ffd), uintptr(unsafe.Pointer(&z.off)), uintptr(n), 0, 0)
	if e != 0 {
		return -1, e
	}
	if r > 0 {
		z.stats.Sends++
	}
	return int(r), 0
}

// reap reads every completion waiting on fd's error queue and returns how
// many sends they covered. Reading the error queue never sleeps.
func (z *ZeroCopy) reap(fd int) uint64 {
	z.sinceReap = 0
	var got uint64
	for range 64 { // a bound: each reading takes one notification
		z.msg = unix.Msghdr{Control: &z.oob[0]}
		z.msg.SetControllen(len(z.oob))
		_, _, e := unix.RawSyscall(unix.SYS_RECVMSG, uintptr(fd), uintptr(unsafe.Pointer(&z.msg)), unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
		if e != 0 {
			break // EAGAIN: none left
		}
		got += z.count(z.oob[:z.msg.Controllen])
	}
	return got
}

// count adds the sends a notification covers: the ids ee_info to ee_data.
func (z *ZeroCopy) count(oob []byte) uint64 {
	var got uint64
	for c := cmsgs(oob); ; {
		level, typ, data, rest, ok := c.next()
		if !ok {
			return got
		}
		c = rest
		if !(level == unix.SOL_IP && typ == unix.IP_RECVERR || level == unix.SOL_IPV6 && typ == unix.IPV6_RECVERR) ||
			len(data) < int(unsafe.Sizeof(unix.SockExtendedErr{})) {
			continue
		}
		ee := (*unix.SockExtendedErr)(unsafe.Pointer(&data[0]))
		if ee.Origin != unix.SO_EE_ORIGIN_ZEROCOPY || ee.Errno != 0 {
			continue
		}
		n := uint64(ee.Data-ee.Info) + 1
		got += n
		z.stats.Completed += n
		if ee.Code&unix.SO_EE_CODE_ZEROCOPY_COPIED != 0 {
			z.stats.Copied += n
		}
	}
}

// wait sleeps until a completion is waiting or d passes. POLLERR needs no
// asking: it is set while the error queue holds anything.
func (z *ZeroCopy) wait(fd int, d time.Duration) {
	z.pfd[0] = unix.PollFd{Fd: int32(fd)}
	_, _ = unix.Poll(z.pfd[:], int(max(d/time.Millisecond, 1)))
}

// Finish waits up to timeout for the completions of every send so far on
// fd and returns the stats; Pending counts those that did not come. Call
// it after the last Send, before the socket is closed.
func (z *ZeroCopy) Finish(fd int, timeout time.Duration) ZeroCopyStats {
	if z.stats.MsgSends > 0 {
		deadline := time.Now().Add(timeout)
		for z.reap(fd); z.stats.Completed < z.stats.MsgSends && time.Now().Before(deadline); z.reap(fd) {
			z.wait(fd, 10*time.Millisecond)
		}
	}
	return z.Stats()
}

// Stats returns what the ZeroCopy did so far.
func (z *ZeroCopy) Stats() ZeroCopyStats {
	st := z.stats
	st.Pending = st.MsgSends - min(st.Completed, st.MsgSends)
	return st
}

// Close releases sendfile's file.
func (z *ZeroCopy) Close() error {
	if z.file == nil {
		return nil
	}
	return z.file.Close()
}
