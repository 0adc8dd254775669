//go:build !goperf_portable

package sockopt

import (
	"context"
	"encoding/binary"
	"net"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestDialFlowLabel dials [::1] with a flow label and reads, from a packet
// socket on lo, the label of the connection's packets as they leave.
func TestDialFlowLabel(t *testing.T) {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	defer ln.Close()
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		t.Skip(err)
	}
	pfd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, htons(unix.ETH_P_IPV6))
	if err != nil {
		t.Skipf("no packet socket (root needed): %v", err)
	}
	defer unix.Close(pfd)
	if err := unix.Bind(pfd, &unix.SockaddrLinklayer{Protocol: uint16(htons(unix.ETH_P_IPV6)), Ifindex: lo.Index}); err != nil {
		t.Fatal(err)
	}
	tv := unix.NsecToTimeval(int64(200 * time.Millisecond))
	_ = unix.SetsockoptTimeval(pfd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)

	const label = 0xbeef5
	go func() {
		if c, err := ln.Accept(); err == nil {
			buf := make([]byte, 1024)
			_, _ = c.Read(buf)
			c.Close()
		}
	}()
	c, err := DialFlowLabel(context.Background(), nil, ln.Addr().(*net.TCPAddr), label, Options{}, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	local := c.LocalAddr().(*net.TCPAddr).Port
	if _, err := c.Write([]byte("labelled")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 2048)
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		n, _, err := unix.Recvfrom(pfd, buf, 0)
		if err != nil || n < 44 || buf[6] != unix.IPPROTO_TCP {
			continue
		}
		if int(binary.BigEndian.Uint16(buf[40:])) != local {
			continue // not from the dialled socket
		}
		if got := binary.BigEndian.Uint32(buf[0:]) & MaxFlowLabel; got != label {
			t.Fatalf("the connection's packets carry flow label %#x, want %#x", got, label)
		}
		return
	}
	t.Fatal("no packet of the connection seen on lo")
}

func htons(v int) int { return int(uint16(v)>>8 | uint16(v)<<8) }
