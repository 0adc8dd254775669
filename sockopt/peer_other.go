//go:build !linux || goperf_portable

package sockopt

import (
	"net/netip"
	"syscall"
)

type peerSys struct{}

func recvFromRaw(int, []byte, *Peer) (int, syscall.Errno) { return -1, syscall.ENOSYS }
func sendToRaw(int, []byte, *Peer) (int, syscall.Errno)   { return -1, syscall.ENOSYS }
func (*peerSys) addrPort() netip.AddrPort                 { return netip.AddrPort{} }
