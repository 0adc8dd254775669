package sockopt

import "syscall"

// ReadRaw and WriteRaw are read(2) and write(2) for a non-blocking socket, to be
// called inside syscall.RawConn callbacks. On Linux they skip the Go
// runtime's syscall bookkeeping: a non-blocking call never sleeps, so the
// scheduler need not hand the P to another thread, and sysmon, which wakes
// every 20 µs while a goroutine keeps entering system calls, backs off. At
// 8 KiB per call that is a fifth more throughput on loopback. Where that is
// not available they return ENOSYS and RawIO is false; use net.Conn there.
//
// n is -1 with a non-zero errno, as from the kernel.

// ReadRaw reads from fd into p.
func ReadRaw(fd int, p []byte) (n int, errno syscall.Errno) {
	return rawRead(fd, p)
}

// WriteRaw writes p to fd.
func WriteRaw(fd int, p []byte) (n int, errno syscall.Errno) {
	return rawWrite(fd, p)
}

// RecvDiscard reads up to len(p) bytes from fd, a TCP socket, and lets the
// kernel discard them instead of copying them into p (MSG_TRUNC, iperf3's
// --skip-rx-copy): n counts the bytes taken off the stream. It works on
// blocking and non-blocking sockets alike, and where MSG_TRUNC is missing
// it returns ENOSYS.
func RecvDiscard(fd int, p []byte) (n int, errno syscall.Errno) {
	return recvDiscard(fd, p)
}
