//go:build !goperf_portable

package sockopt

import (
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

// packetDst walks the control messages for IP_PKTINFO or IPV6_PKTINFO.
func packetDst(oob []byte) (netip.Addr, bool) {
	for c := cmsgs(oob); ; {
		level, typ, data, rest, ok := c.next()
		if !ok {
			return netip.Addr{}, false
		}
		switch {
		case level == unix.IPPROTO_IP && typ == unix.IP_PKTINFO && len(data) >= unix.SizeofInet4Pktinfo:
			info := (*unix.Inet4Pktinfo)(unsafe.Pointer(&data[0]))
			return netip.AddrFrom4(info.Addr), true
		case level == unix.IPPROTO_IPV6 && typ == unix.IPV6_PKTINFO && len(data) >= unix.SizeofInet6Pktinfo:
			info := (*unix.Inet6Pktinfo)(unsafe.Pointer(&data[0]))
			return netip.AddrFrom16(info.Addr).Unmap(), true
		}
		c = rest
	}
}
