//go:build !goperf_portable

package sockopt

import (
	"os"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// BlockingIO reports whether DupBlocking, SendBlocking, RecvBlocking and
// WaitReadable are available.
const BlockingIO = true

// setBlocking puts fd in blocking mode with timeout as its send and
// receive timeout.
func setBlocking(fd int, timeout time.Duration) error {
	if err := unix.SetNonblock(fd, false); err != nil {
		return os.NewSyscallError("fcntl", err)
	}
	tv := unix.NsecToTimeval(int64(timeout))
	for _, opt := range []int{unix.SO_SNDTIMEO, unix.SO_RCVTIMEO} {
		if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, opt, &tv); err != nil {
			return os.NewSyscallError("setsockopt", err)
		}
	}
	return nil
}

func dupBlocking(fd int, timeout time.Duration) (int, error) {
	nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return -1, os.NewSyscallError("fcntl", err)
	}
	// O_NONBLOCK belongs to the open file, which both descriptors share:
	// the caller closes the other.
	if err := setBlocking(nfd, timeout); err != nil {
		_ = unix.Close(nfd)
		return -1, err
	}
	return nfd, nil
}

// sendBlocking and recvBlocking are raw: see SendBlocking for why.
func sendBlocking(fd int, p []byte) (int, syscall.Errno) {
	return rawFlagged(unix.SYS_SENDTO, fd, p, unix.MSG_NOSIGNAL)
}

func recvBlocking(fd int, p []byte) (int, syscall.Errno) { return rawIO(unix.SYS_READ, fd, p) }

func recvAwake(fd int, p []byte, discard bool, spin *Spinner) (int, time.Duration, syscall.Errno) {
	flags := uintptr(unix.MSG_DONTWAIT)
	if discard {
		flags |= unix.MSG_TRUNC
	}
	var n int
	var e syscall.Errno
	polled, empty := spin.poll(func() bool {
		n, e = rawFlagged(unix.SYS_RECVFROM, fd, p, flags)
		return e == unix.EAGAIN
	})
	if empty {
		n, e = rawFlagged(unix.SYS_RECVFROM, fd, p, flags&^unix.MSG_DONTWAIT)
	}
	return n, polled, e
}

func waitReadable(fd int, d time.Duration) (bool, syscall.Errno) {
	var ts *unix.Timespec
	if d >= 0 {
		t := unix.NsecToTimespec(int64(d))
		ts = &t
	}
	pfd := unix.PollFd{Fd: int32(fd), Events: unix.POLLIN}
	n, _, e := unix.Syscall6(unix.SYS_PPOLL, uintptr(unsafe.Pointer(&pfd)), 1, uintptr(unsafe.Pointer(ts)), 0, 0, 0)
	switch {
	case e == unix.EINTR:
		return false, 0
	case e != 0:
		return false, e
	}
	return n > 0 && pfd.Revents != 0, 0
}

func shutdown(fd int, read, write bool) error {
	how := unix.SHUT_RDWR
	switch {
	case read && !write:
		how = unix.SHUT_RD
	case write && !read:
		how = unix.SHUT_WR
	case !read && !write:
		return nil
	}
	// ENOTCONN: the connection is already gone, and nothing sleeps on it.
	if err := unix.Shutdown(fd, how); err != nil && err != unix.ENOTCONN {
		return os.NewSyscallError("shutdown", err)
	}
	return nil
}
