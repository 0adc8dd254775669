package echo

import (
	"encoding/binary"
	"net"
	"net/netip"
	"syscall"
	"testing"
	"time"
)

// forge sends a UDP datagram to 127.0.0.1:dst that says it comes from
// 127.0.0.1:src, through a raw socket (root only): the kernel writes the
// IP header, the test the UDP header, with no checksum as IPv4 allows.
func forge(t *testing.T, src, dst uint16, payload string) {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_RAW, syscall.IPPROTO_UDP)
	if err != nil {
		t.Skipf("raw socket (needs root): %v", err)
	}
	defer syscall.Close(fd)
	pkt := binary.BigEndian.AppendUint16(nil, src)
	pkt = binary.BigEndian.AppendUint16(pkt, dst)
	pkt = binary.BigEndian.AppendUint16(pkt, uint16(8+len(payload)))
	pkt = binary.BigEndian.AppendUint16(pkt, 0)
	pkt = append(pkt, payload...)
	if err := syscall.Sendto(fd, pkt, 0, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
}

// TestUDPEchoLoops: a datagram forged to come from the server's own
// address and port, or from a well-known port (echo, chargen), is not
// echoed, so it starts no loop; the server still echoes a real client.
func TestUDPEchoLoops(t *testing.T) {
	ts := startServer(t, ServerConfig{Proto: UDP})
	for _, src := range []uint16{uint16(ts.port), 7, 19} {
		forge(t, src, uint16(ts.port), "loop?")
	}
	waitFor(t, "the forged datagrams to arrive", func() bool { return ts.refusals.Load() == 3 })
	time.Sleep(100 * time.Millisecond) // a loop, had one started, would have echoed thousands by now
	if n := ts.echoes.Load(); n != 0 {
		t.Fatalf("the server echoed %d datagrams after 3 forged ones", n)
	}
	c, err := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(ts.port))))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 16)
	if _, err := c.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Read(buf); err != nil || string(buf[:n]) != "hello" {
		t.Errorf("a real client's echo: %q, %v", buf[:n], err)
	}
	if n := ts.echoes.Load(); n != 1 {
		t.Errorf("%d echoes, want the client's 1", n)
	}
}

// TestLoopRisk: which senders a UDP echo server on port 5001 refuses.
func TestLoopRisk(t *testing.T) {
	for _, tt := range []struct {
		from   string
		refuse bool
	}{
		{"127.0.0.1:40000", false},
		{"[::1]:5002", false},
		{"192.0.2.7:1024", false},
		{"127.0.0.1:5001", true},
		{"192.0.2.7:5001", true},
		{"192.0.2.7:7", true},
		{"192.0.2.7:19", true},
		{"192.0.2.7:1023", true},
		{"192.0.2.7:0", true},
		{"0.0.0.0:40000", true},
	} {
		if got := loopRisk(netip.MustParseAddrPort(tt.from), 5001) != ""; got != tt.refuse {
			t.Errorf("from %s: refused %v, want %v", tt.from, got, tt.refuse)
		}
	}
}
