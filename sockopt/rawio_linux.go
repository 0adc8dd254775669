//go:build !goperf_portable

package sockopt

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// RawIO reports whether ReadRaw and WriteRaw are raw system calls here.
const RawIO = true

func rawRead(fd int, p []byte) (int, syscall.Errno)  { return rawIO(unix.SYS_READ, fd, p) }
func rawWrite(fd int, p []byte) (int, syscall.Errno) { return rawIO(unix.SYS_WRITE, fd, p) }

// rawIO makes a read or write system call on p without the runtime's
// syscall bookkeeping.
func rawIO(trap uintptr, fd int, p []byte) (int, syscall.Errno) {
	if len(p) == 0 {
		return 0, 0
	}
	r, _, e := unix.RawSyscall(trap, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return -1, e
	}
	return int(r), 0
}

func recvDiscard(fd int, p []byte) (int, syscall.Errno) {
	return rawFlagged(unix.SYS_RECVFROM, fd, p, unix.MSG_TRUNC)
}

// rawFlagged makes a sendto or recvfrom system call on p with flags,
// without the runtime's syscall bookkeeping.
func rawFlagged(trap uintptr, fd int, p []byte, flags uintptr) (int, syscall.Errno) {
	if len(p) == 0 {
		return 0, 0
	}
	r, _, e := unix.RawSyscall6(trap, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), flags, 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(r), 0
}
