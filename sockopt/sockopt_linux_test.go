//go:build !goperf_portable

package sockopt

import (
	"context"
	"errors"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

// pair listens with lopts and dials with dopts on loopback, and returns
// both ends.
func pair(t *testing.T, network string, lopts, dopts Options) (*net.TCPConn, *net.TCPConn) {
	t.Helper()
	addr := "127.0.0.1:0"
	if network == "tcp6" {
		addr = "[::1]:0"
	}
	lc := net.ListenConfig{Control: lopts.Control()}
	ln, err := lc.Listen(context.Background(), network, addr)
	if err != nil {
		t.Skipf("listen %s: %v", network, err)
	}
	defer ln.Close()
	d := net.Dialer{Control: dopts.Control(), Timeout: 5 * time.Second}
	c, err := d.Dial(network, ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); s.Close() })
	return c.(*net.TCPConn), s.(*net.TCPConn)
}

// TestOptionsGranted sets each option through Control and reads it back.
func TestOptionsGranted(t *testing.T) {
	tests := []struct {
		name    string
		network string
		opts    Options
		check   func(t *testing.T, g Granted)
	}{
		{"buffers", "tcp4", Options{SendBuffer: 256 << 10, RecvBuffer: 512 << 10}, func(t *testing.T, g Granted) {
			// Linux doubles the request for its bookkeeping.
			if g.SendBuffer != 512<<10 || g.RecvBuffer != 1024<<10 {
				t.Errorf("buffers %d/%d, want 512K/1M", g.SendBuffer, g.RecvBuffer)
			}
		}},
		{"MSS", "tcp4", Options{MSS: 1200}, func(t *testing.T, g Granted) {
			if g.MSS > 1200 || g.MSS < 1000 {
				t.Errorf("MSS %d, want at most 1200", g.MSS)
			}
		}},
		{"nodelay", "tcp4", Options{NoDelay: true}, func(t *testing.T, g Granted) {
			if !g.NoDelay {
				t.Error("TCP_NODELAY not set")
			}
		}},
		{"congestion", "tcp4", Options{Congestion: "reno"}, func(t *testing.T, g Granted) {
			if g.Congestion != "reno" {
				t.Errorf("congestion %q", g.Congestion)
			}
		}},
		{"TOS v4", "tcp4", Options{TOS: 0x28}, func(t *testing.T, g Granted) {
			if g.TOS != 0x28 {
				t.Errorf("TOS %#x", g.TOS)
			}
		}},
		{"traffic class v6", "tcp6", Options{TOS: 0xb8}, func(t *testing.T, g Granted) {
			if g.TOS != 0xb8 {
				t.Errorf("traffic class %#x", g.TOS)
			}
		}},
		{"device", "tcp4", Options{Device: "lo"}, func(t *testing.T, g Granted) {}},
		{"user timeout", "tcp4", Options{UserTimeout: 3000}, func(t *testing.T, g Granted) {
			if g.UserTimeout != 3000 {
				t.Errorf("TCP_USER_TIMEOUT %d ms", g.UserTimeout)
			}
		}},
		{"don't fragment v4", "tcp4", Options{DontFragment: true}, func(t *testing.T, g Granted) {
			if !g.DontFragment {
				t.Error("IP_MTU_DISCOVER is not PMTUDISC_DO")
			}
		}},
		{"don't fragment v6", "tcp6", Options{DontFragment: true}, func(t *testing.T, g Granted) {
			if !g.DontFragment {
				t.Error("IPV6_MTU_DISCOVER is not PMTUDISC_DO")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := pair(t, tt.network, Options{}, tt.opts)
			g, err := Read(c)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, g)
		})
	}
}

// TestDontFragmentUDP: DontFragment takes on UDP sockets of both
// families, read back. (Its effect, EMSGSIZE for a datagram over the path
// MTU, is tested through goperf on a veth pair: TestDontFragment.)
func TestDontFragmentUDP(t *testing.T) {
	for _, network := range []string{"udp4", "udp6"} {
		addr := map[string]string{"udp4": "127.0.0.1:0", "udp6": "[::1]:0"}[network]
		lc := net.ListenConfig{Control: Options{DontFragment: true}.Control()}
		pc, err := lc.ListenPacket(context.Background(), network, addr)
		if err != nil {
			t.Skipf("%s: %v", network, err)
		}
		g, err := Read(pc.(*net.UDPConn))
		pc.Close()
		if err != nil || !g.DontFragment {
			t.Errorf("%s: don't fragment %v, %v", network, g.DontFragment, err)
		}
	}
}

// TestBufferBeyondCap asks for more than wmem_max: as root the FORCE
// variant gets it, otherwise the kernel caps it. Either way the read-back
// says what was granted.
func TestBufferBeyondCap(t *testing.T) {
	c, _ := pair(t, "tcp4", Options{}, Options{SendBuffer: 64 << 20})
	g, err := Read(c)
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 && g.SendBuffer != 128<<20 {
		t.Errorf("as root: send buffer %d, want 128 MiB (SO_SNDBUFFORCE, doubled)", g.SendBuffer)
	}
	t.Logf("asked 64 MiB, granted %d", g.SendBuffer)
}

// TestRefusedOption checks that an option the kernel refuses fails the dial
// with a message naming it.
func TestRefusedOption(t *testing.T) {
	d := net.Dialer{Control: Options{Congestion: "no-such-algorithm"}.Control()}
	_, err := d.Dial("tcp4", "127.0.0.1:9")
	if err == nil || !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("dial with an unknown congestion control: %v", err)
	}
	t.Log(err)
}

// TestApplyAfterAccept sets options on an accepted connection.
func TestApplyAfterAccept(t *testing.T) {
	_, s := pair(t, "tcp4", Options{}, Options{})
	if err := (Options{NoDelay: true, Congestion: "cubic", SendBuffer: 1 << 20}).Apply(s, "tcp"); err != nil {
		t.Fatal(err)
	}
	g, err := Read(s)
	if err != nil || !g.NoDelay || g.Congestion != "cubic" || g.SendBuffer != 2<<20 {
		t.Errorf("granted %+v, %v", g, err)
	}
}

// TestTCPInfo reads TCP_INFO after moving some data.
func TestTCPInfo(t *testing.T) {
	c, s := pair(t, "tcp4", Options{}, Options{})
	go func() {
		buf := make([]byte, 64<<10)
		for range 16 {
			if _, err := s.Read(buf); err != nil {
				return
			}
		}
	}()
	if _, err := c.Write(make([]byte, 256<<10)); err != nil {
		t.Fatal(err)
	}
	ti, err := ReadTCPInfo(c)
	if err != nil {
		t.Fatal(err)
	}
	if ti.SndMSS == 0 || ti.SndCwnd == 0 || ti.PMTU == 0 {
		t.Errorf("TCP_INFO %+v", ti)
	}
	if FD(c) < 0 {
		t.Error("no descriptor")
	}
}

// TestRawIO moves bytes with the raw calls and checks EAGAIN and EOF.
func TestRawIO(t *testing.T) {
	c, s := pair(t, "tcp4", Options{}, Options{})
	var cfd, sfd int
	rc, _ := c.SyscallConn()
	_ = rc.Control(func(fd uintptr) { cfd = int(fd) })
	rs, _ := s.SyscallConn()
	_ = rs.Control(func(fd uintptr) { sfd = int(fd) })
	buf := make([]byte, 100)
	if n, e := ReadRaw(sfd, buf); n != -1 || e != syscall.EAGAIN {
		t.Errorf("read on an empty socket: %d, %v", n, e)
	}
	if n, e := WriteRaw(cfd, []byte("hello")); n != 5 || e != 0 {
		t.Fatalf("write: %d, %v", n, e)
	}
	deadline := time.Now().Add(2 * time.Second)
	n, e := ReadRaw(sfd, buf)
	for e == syscall.EAGAIN && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
		n, e = ReadRaw(sfd, buf)
	}
	if n != 5 || string(buf[:5]) != "hello" {
		t.Errorf("read %d %q, %v", n, buf[:max(n, 0)], e)
	}
	_ = c.CloseWrite()
	for e = syscall.EAGAIN; e == syscall.EAGAIN && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		n, e = ReadRaw(sfd, buf)
	}
	if n != 0 || e != 0 {
		t.Errorf("after the peer's FIN: %d, %v, want EOF (0)", n, e)
	}
	if n, e := ReadRaw(sfd, nil); n != 0 || e != 0 {
		t.Errorf("empty read: %d, %v", n, e)
	}
}
