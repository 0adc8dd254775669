//go:build !goperf_portable

package sockopt

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"
)

// TestPacketDstAndReuse binds a listening UDP socket with PacketInfo and
// ReusePort, reads a datagram's destination, then connects a second socket
// on the same port to the sender: datagrams from that sender go to it,
// datagrams from anyone else still reach the listener.
func TestPacketDstAndReuse(t *testing.T) {
	for _, network := range []string{"udp4", "udp6", "udp"} {
		t.Run(network, func(t *testing.T) {
			ip := "127.0.0.1"
			if network == "udp6" {
				ip = "::1"
			}
			lc := net.ListenConfig{Control: Options{ReusePort: true, PacketInfo: true}.Control()}
			pc, err := lc.ListenPacket(context.Background(), network, net.JoinHostPort(ip, "0"))
			if err != nil {
				t.Skipf("listen: %v", err)
			}
			ln := pc.(*net.UDPConn)
			defer ln.Close()
			port := ln.LocalAddr().(*net.UDPAddr).Port
			a, err := net.Dial(network, ln.LocalAddr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			_, _ = a.Write([]byte("9876"))
			buf, oob := make([]byte, 64), make([]byte, PacketInfoSpace)
			_ = ln.SetReadDeadline(time.Now().Add(2 * time.Second))
			_, oobn, _, from, err := ln.ReadMsgUDPAddrPort(buf, oob)
			if err != nil {
				t.Fatal(err)
			}
			if dst, ok := PacketDst(oob[:oobn]); !ok || dst != netip.MustParseAddr(ip) {
				t.Errorf("destination %v, %v; want %s", dst, ok, ip)
			}
			d := net.Dialer{LocalAddr: &net.UDPAddr{IP: net.ParseIP(ip), Port: port}, Control: Options{ReusePort: true}.Control()}
			stream, err := d.Dial(network, from.String())
			if err != nil {
				t.Fatal(err)
			}
			defer stream.Close()
			_, _ = a.Write([]byte("data"))
			_ = stream.SetReadDeadline(time.Now().Add(2 * time.Second))
			if n, err := stream.Read(buf); err != nil || string(buf[:n]) != "data" {
				t.Errorf("connected socket read %q, %v", buf[:max(n, 0)], err)
			}
			b, err := net.Dial(network, ln.LocalAddr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			_, _ = b.Write([]byte("other"))
			if n, _, err := ln.ReadFromUDPAddrPort(buf); err != nil || string(buf[:n]) != "other" {
				t.Errorf("listener read %q, %v", buf[:max(n, 0)], err)
			}
		})
	}
}
