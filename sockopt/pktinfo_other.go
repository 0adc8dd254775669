//go:build !linux || goperf_portable

package sockopt

import "net/netip"

func packetDst([]byte) (netip.Addr, bool) { return netip.Addr{}, false }
