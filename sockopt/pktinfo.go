package sockopt

import "net/netip"

// PacketInfoSpace is how much control-message space a read needs for the
// destination address that Options.PacketInfo asks for.
const PacketInfoSpace = 64

// PacketDst returns the destination address carried in oob, the control
// messages of a datagram read from a socket with Options.PacketInfo. It
// reports false when oob holds none (or off Linux).
func PacketDst(oob []byte) (netip.Addr, bool) {
	return packetDst(oob)
}
