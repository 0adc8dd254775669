package echo

import (
	"math/bits"
	"net/netip"
)

// An echo server answers whoever a datagram says sent it, so a datagram
// forged to come from an echo service starts a loop that never ends: from
// the server's own address and port it echoes itself, from another echo
// or chargen service (ports 7, 19) or another goecho server they answer
// each other. The UDP server therefore does not echo a datagram from:
//
//   - a port below 1024, where the classic services that answer anything
//     live (echo 7, discard 9, daytime 13, chargen 19, time 37) and which
//     no client's ephemeral port is;
//   - its own port, from any address: itself, and other goecho servers on
//     the same port (the default, 5001), which would otherwise ping-pong;
//   - port 0 or an unspecified address, which no real sender has.
//
// Two goecho servers on different high ports can still be set against
// each other by a forged datagram; that takes a spoofer on the path, and
// each datagram of the loop then costs the spoofer nothing more.

// loopRisk says why a datagram from from, to a server on port own, is not
// echoed, or "" to echo it.
func loopRisk(from netip.AddrPort, own uint16) string {
	switch {
	case !from.Addr().IsValid() || from.Addr().IsUnspecified() || from.Port() == 0:
		return "from no address"
	case from.Port() == own:
		return "from the server's own port (an echo loop)"
	case from.Port() < 1024:
		return "from a well-known port (echo and chargen loops start there)"
	}
	return ""
}

// refused counts a datagram not echoed and logs it, in verbose mode, when
// the count is a power of two: a flood of forged datagrams makes a few
// dozen lines, not one each.
func (s *Server) refused(from netip.AddrPort, why string) {
	if n := s.refusals.Add(1); bits.OnesCount64(n) == 1 {
		s.out.Log.Verbose("udp: not echoing a datagram %s: %v (%d refused so far)", why, from, n)
	}
}
