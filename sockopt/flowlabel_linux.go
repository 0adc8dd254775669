//go:build !goperf_portable

package sockopt

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// FlowLabels reports whether DialFlowLabel can label connections here.
const FlowLabels = true

// From linux/in6.h.
const (
	ipv6FlowlabelMgr = 32
	ipv6FlowinfoSend = 33
	ipv6FlACreate    = 1   // IPV6_FL_F_CREATE
	ipv6FlSAny       = 255 // IPV6_FL_S_ANY
)

// in6FlowlabelReq is struct in6_flowlabel_req.
type in6FlowlabelReq struct {
	dst     [16]byte
	label   [4]byte // network order
	action  uint8   // IPV6_FL_A_GET = 0
	share   uint8
	flags   uint16
	expires uint16
	linger  uint16
	_       uint32
}

func dialFlowLabel(ctx context.Context, laddr, raddr *net.TCPAddr, label uint32, opts Options, timeout time.Duration) (net.Conn, error) {
	ip := raddr.IP.To16()
	if ip == nil || raddr.IP.To4() != nil {
		return nil, fmt.Errorf("a flow label needs an IPv6 server address, not %v", raddr.IP)
	}
	fd, err := unix.Socket(unix.AF_INET6, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	f := os.NewFile(uintptr(fd), "tcp6")
	defer f.Close() // FileConn keeps a duplicate
	if err := prepareFlowSocket(fd, laddr, ip, label, opts, timeout); err != nil {
		return nil, err
	}
	if err := connectFlow(fd, raddr, ip, label); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	_ = unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_SNDTIMEO, &unix.Timeval{})
	if err := unix.SetNonblock(fd, true); err != nil {
		return nil, os.NewSyscallError("fcntl", err)
	}
	return net.FileConn(f)
}

// prepareFlowSocket applies opts, binds laddr, bounds the connect by
// timeout and asks the kernel for label towards dst.
func prepareFlowSocket(fd int, laddr *net.TCPAddr, dst net.IP, label uint32, opts Options, timeout time.Duration) error {
	if err := opts.apply(fd, "tcp6"); err != nil {
		return err
	}
	if laddr != nil {
		sa := &unix.SockaddrInet6{Port: laddr.Port}
		copy(sa.Addr[:], laddr.IP.To16())
		if err := unix.Bind(fd, sa); err != nil {
			return os.NewSyscallError("bind", err)
		}
	}
	tv := unix.NsecToTimeval(int64(timeout))
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_SNDTIMEO, &tv); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	req := in6FlowlabelReq{share: ipv6FlSAny, flags: ipv6FlACreate}
	copy(req.dst[:], dst)
	binary.BigEndian.PutUint32(req.label[:], label&MaxFlowLabel)
	if _, _, e := unix.Syscall6(unix.SYS_SETSOCKOPT, uintptr(fd), unix.IPPROTO_IPV6, ipv6FlowlabelMgr,
		uintptr(unsafe.Pointer(&req)), unsafe.Sizeof(req), 0); e != 0 {
		return fmt.Errorf("IPV6_FLOWLABEL_MGR: %w", os.NewSyscallError("setsockopt", e))
	}
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, ipv6FlowinfoSend, 1); err != nil {
		return fmt.Errorf("IPV6_FLOWINFO_SEND: %w", os.NewSyscallError("setsockopt", err))
	}
	return nil
}

// connectFlow connects fd to raddr with label in the address's flow
// information, which is where the kernel reads it.
func connectFlow(fd int, raddr *net.TCPAddr, ip net.IP, label uint32) error {
	sa := unix.RawSockaddrInet6{Family: unix.AF_INET6}
	binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:], uint16(raddr.Port))
	binary.BigEndian.PutUint32((*[4]byte)(unsafe.Pointer(&sa.Flowinfo))[:], label&MaxFlowLabel)
	copy(sa.Addr[:], ip)
	if raddr.Zone != "" {
		if ifi, err := net.InterfaceByName(raddr.Zone); err == nil {
			sa.Scope_id = uint32(ifi.Index)
		}
	}
	_, _, e := unix.Syscall(unix.SYS_CONNECT, uintptr(fd), uintptr(unsafe.Pointer(&sa)), unsafe.Sizeof(sa))
	switch e {
	case 0:
		return nil
	case unix.EINPROGRESS, unix.EAGAIN:
		return os.NewSyscallError("connect", syscall.ETIMEDOUT) // SO_SNDTIMEO passed
	}
	return os.NewSyscallError("connect", e)
}
