package echo

import (
	"errors"
	"net"
	"net/netip"
	"runtime"

	"github.com/goperf/goperf/engine/transport"
	"github.com/goperf/goperf/sockopt"
)

// serveUDP echoes each datagram to its sender, from one goroutine and one
// buffer of the largest datagram size, so nothing is ever truncated. The
// loop allocates nothing. Anything is echoed, garbage included, but not to
// a sender that would start an echo loop (udpguard.go); errors concern one
// datagram and the loop goes on.
func (s *Server) serveUDP() error {
	buf := make([]byte, maxUDPDatagram)
	own := uint16(s.pc.LocalAddr().(*net.UDPAddr).Port)
	sock := s.udpSocket()
	for {
		n, from, err := sock.recv(buf)
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
		if err := sock.reply(buf[:n]); err != nil {
			s.out.Log.Verbose("udp echo to %v: %v", from, transport.Cause(err))
		}
	}
}

// udpSocket is how the UDP server receives a datagram and answers it.
type udpSocket interface {
	recv(buf []byte) (int, netip.AddrPort, error)
	reply(p []byte) error // to the sender of the last datagram received
}

// udpSocket returns the busy-polling socket where the server has a CPU to
// spare for it, else the network poller's.
func (s *Server) udpSocket() udpSocket {
	if sockopt.RawIO && s.cfg.Spin >= 0 && runtime.GOMAXPROCS(0) > 1 {
		if u, err := newUDPSpinner(s.pc, s.cfg.Spin); err == nil {
			return u
		}
	}
	return &polledUDP{pc: s.pc}
}

// polledUDP waits for datagrams in the network poller.
type polledUDP struct {
	pc   *net.UDPConn
	last netip.AddrPort
}

func (p *polledUDP) recv(buf []byte) (int, netip.AddrPort, error) {
	n, from, err := p.pc.ReadFromUDPAddrPort(buf)
	p.last = from
	return n, from, err
}

func (p *polledUDP) reply(b []byte) error {
	_, err := p.pc.WriteToUDPAddrPort(b, p.last)
	return err
}
