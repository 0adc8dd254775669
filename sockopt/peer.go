package sockopt

import (
	"net/netip"
	"syscall"
)

// Peer is a datagram's sender as the kernel wrote it, kept raw: receiving
// a datagram into it and answering it allocate nothing, where the net
// package makes an address for each. RecvFromRaw and SendToRaw are
// recvfrom(2) and sendto(2) without the runtime's syscall bookkeeping, for
// a non-blocking socket inside syscall.RawConn callbacks, as ReadRaw and
// WriteRaw; where RawIO is false they return ENOSYS.
type Peer struct {
	peerSys
}

// RecvFromRaw reads one datagram from fd into p, and its sender into from.
func RecvFromRaw(fd int, p []byte, from *Peer) (n int, errno syscall.Errno) {
	return recvFromRaw(fd, p, from)
}

// SendToRaw sends p to to, as one datagram, from fd.
func SendToRaw(fd int, p []byte, to *Peer) (n int, errno syscall.Errno) {
	return sendToRaw(fd, p, to)
}

// AddrPort returns the sender's address and port; an IPv4 sender on a
// dual-stack socket shows as an IPv4-mapped IPv6 address, as the net
// package shows it.
func (p *Peer) AddrPort() netip.AddrPort { return p.addrPort() }
