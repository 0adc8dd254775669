//go:build !goperf_portable

package sockopt

import (
	"net"
	"net/netip"
	"syscall"
	"testing"
	"time"
)

// TestPeerRoundTrip receives a datagram with RecvFromRaw, checks the
// sender it recorded against the sending socket's address, answers it with
// SendToRaw and checks the answer arrives: over IPv4, IPv6, and IPv4 on a
// dual-stack socket, where the sender shows IPv4-mapped.
func TestPeerRoundTrip(t *testing.T) {
	tests := []struct {
		name, listen, send, network string
		mapped                      bool
	}{
		{"ipv4", "127.0.0.1:0", "127.0.0.1", "udp4", false},
		{"ipv6", "[::1]:0", "::1", "udp6", false},
		{"ipv4 on dual stack", "[::]:0", "127.0.0.1", "udp4", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := net.ListenPacket("udp", tt.listen)
			if err != nil {
				t.Skipf("listen %s: %v", tt.listen, err)
			}
			defer srv.Close()
			port := srv.LocalAddr().(*net.UDPAddr).Port
			to := netip.AddrPortFrom(netip.MustParseAddr(tt.send), uint16(port))
			cli, err := net.DialUDP(tt.network, nil, net.UDPAddrFromAddrPort(to))
			if err != nil {
				t.Skipf("dial %v: %v", to, err)
			}
			defer cli.Close()
			if _, err := cli.Write([]byte("ping")); err != nil {
				t.Fatal(err)
			}

			var from Peer
			buf := make([]byte, 16)
			n := rawRecv(t, srv.(syscall.Conn), buf, &from)
			if string(buf[:n]) != "ping" {
				t.Fatalf("received %q, want ping", buf[:n])
			}
			want := cli.LocalAddr().(*net.UDPAddr).AddrPort()
			if tt.mapped {
				want = netip.AddrPortFrom(netip.AddrFrom16(want.Addr().As16()), want.Port())
			}
			if got := from.AddrPort(); got != want {
				t.Errorf("sender %v, want %v", got, want)
			}

			fdOf(t, srv.(syscall.Conn), func(fd int) {
				if n, errno := SendToRaw(fd, []byte("pong"), &from); n != 4 || errno != 0 {
					t.Errorf("send: %d, %v", n, errno)
				}
			})
			_ = cli.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, err = cli.Read(buf)
			if err != nil || string(buf[:n]) != "pong" {
				t.Errorf("answer %q, %v; want pong", buf[:n], err)
			}
		})
	}
}

// rawRecv reads one datagram from conn with RecvFromRaw, parking in the
// network poller until one is there (at most 5 s).
func rawRecv(t *testing.T, conn syscall.Conn, buf []byte, from *Peer) int {
	t.Helper()
	rc, err := conn.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.(net.Conn).SetReadDeadline(time.Now().Add(5 * time.Second))
	n, errno := 0, syscall.Errno(0)
	err = rc.Read(func(fd uintptr) bool {
		n, errno = RecvFromRaw(int(fd), buf, from)
		return errno != syscall.EAGAIN
	})
	if err != nil || errno != 0 {
		t.Fatalf("receive: %v, %v", err, errno)
	}
	return n
}
