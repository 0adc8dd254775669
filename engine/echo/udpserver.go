package echo

import (
	"errors"
	"net"

	"github.com/goperf/goperf/engine/transport"
)

// serveUDP echoes each datagram to its sender, from one goroutine and one
// buffer of the largest datagram size, so nothing is ever truncated. The
// loop allocates nothing. Anything is echoed, garbage included, but not to
// a sender that would start an echo loop (udpguard.go); errors concern one
// datagram and the loop goes on.
func (s *Server) serveUDP() error {
	buf := make([]byte, maxUDPDatagram)
	own := uint16(s.pc.LocalAddr().(*net.UDPAddr).Port)
	for {
		n, from, err := s.pc.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			s.out.Log.Verbose("udp read: %v", transport.Cause(err))
			continue
		}
		if why := loopRisk(from, own); why != "" {
			s.refused(from, why)
			continue
		}
		s.echoes.Add(1)
		if _, err := s.pc.WriteToUDPAddrPort(buf[:n], from); err != nil {
			s.out.Log.Verbose("udp echo to %v: %v", from, transport.Cause(err))
		}
	}
}
