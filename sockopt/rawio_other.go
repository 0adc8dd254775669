//go:build !linux || goperf_portable

package sockopt

import "syscall"

// RawIO reports whether ReadRaw and WriteRaw are raw system calls here.
const RawIO = false

func rawRead(int, []byte) (int, syscall.Errno)     { return -1, syscall.ENOSYS }
func rawWrite(int, []byte) (int, syscall.Errno)    { return -1, syscall.ENOSYS }
func recvDiscard(int, []byte) (int, syscall.Errno) { return -1, syscall.ENOSYS }
