//go:build !goperf_portable

package sockopt

import (
	"encoding/binary"
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

type peerSys struct {
	sa  unix.RawSockaddrAny
	len uint32 // of sa, as the kernel filled it in
}

func recvFromRaw(fd int, p []byte, from *Peer) (int, syscall.Errno) {
	from.len = unix.SizeofSockaddrAny
	var buf unsafe.Pointer
	if len(p) > 0 {
		buf = unsafe.Pointer(&p[0])
	}
	r, _, e := unix.RawSyscall6(unix.SYS_RECVFROM, uintptr(fd), uintptr(buf), uintptr(len(p)), 0,
		uintptr(unsafe.Pointer(&from.sa)), uintptr(unsafe.Pointer(&from.len)))
	if e != 0 {
		return -1, e
	}
	return int(r), 0
}

func sendToRaw(fd int, p []byte, to *Peer) (int, syscall.Errno) {
	var buf unsafe.Pointer
	if len(p) > 0 {
		buf = unsafe.Pointer(&p[0])
	}
	r, _, e := unix.RawSyscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(buf), uintptr(len(p)), 0,
		uintptr(unsafe.Pointer(&to.sa)), uintptr(to.len))
	if e != 0 {
		return -1, e
	}
	return int(r), 0
}

// addrPort reads sa; the port is in network byte order, as the kernel
// keeps it. A zone (an IPv6 scope) is left out.
func (p *peerSys) addrPort() netip.AddrPort {
	switch p.sa.Addr.Family {
	case unix.AF_INET:
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(&p.sa))
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), port(&sa.Port))
	case unix.AF_INET6:
		sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(&p.sa))
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), port(&sa.Port))
	}
	return netip.AddrPort{}
}

// port reads a port stored in network byte order.
func port(p *uint16) uint16 {
	return binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(p))[:])
}
