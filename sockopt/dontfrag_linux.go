//go:build !goperf_portable

package sockopt

import (
	"os"

	"golang.org/x/sys/unix"
)

// setDontFragment sets the DF bit on what fd sends (IPv4) and forbids
// fragmenting (IPv6): a datagram over the path MTU fails with EMSGSIZE
// instead of leaving in pieces, as iperf3's --dont-fragment. A dual-stack
// socket needs both levels.
func setDontFragment(fd int) error {
	domain, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN)
	if err != nil {
		return os.NewSyscallError("getsockopt", err)
	}
	if domain == unix.AF_INET6 {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_MTU_DISCOVER, unix.IPV6_PMTUDISC_DO); err != nil {
			return os.NewSyscallError("setsockopt", err)
		}
	}
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_MTU_DISCOVER, unix.IP_PMTUDISC_DO); err != nil && domain != unix.AF_INET6 {
		return os.NewSyscallError("setsockopt", err)
	}
	return nil
}

// readDontFragment reports whether fd never fragments.
func readDontFragment(fd int) bool {
	if domain, _ := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN); domain == unix.AF_INET6 {
		v, err := unix.GetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_MTU_DISCOVER)
		return err == nil && v == unix.IPV6_PMTUDISC_DO
	}
	v, err := unix.GetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_MTU_DISCOVER)
	return err == nil && v == unix.IP_PMTUDISC_DO
}
