//go:build unix && (!linux || goperf_portable)

package sockopt

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// The portable path sets what every Unix has and the tools cannot do
// without: the buffer sizes, TCP_NODELAY, TCP_MAXSEG, the TOS byte, and
// address reuse for the UDP server's shared port (as wireguard-go's
// controlfns_unix.go and tailscale's portable buffer sizes do). Of the
// rest, a caller's own ask (a device, a congestion control algorithm, a
// pacing rate) is refused with ErrUnsupported, so that a test never runs
// other than asked; PacketInfo, which the engine asks for itself, is off:
// PacketDst finds no address and a UDP server's streams answer from the
// address the kernel picks. The FORCE buffer variants are Linux's; here
// the kernel's caps apply.

// apply sets every option o asks for on fd.
func (o Options) apply(fd int, network string) error {
	switch {
	case o.Device != "":
		return fmt.Errorf("bind to device %q: %w", o.Device, ErrUnsupported)
	case o.MaxPacingRate > 0:
		return fmt.Errorf("pacing rate: %w", ErrUnsupported)
	case o.Congestion != "" && isTCP(network):
		return fmt.Errorf("congestion control %q: %w", o.Congestion, ErrUnsupported)
	case o.DontFragment:
		return fmt.Errorf("don't fragment: %w", ErrUnsupported)
	case o.UserTimeout > 0 && isTCP(network):
		return fmt.Errorf("TCP_USER_TIMEOUT: %w", ErrUnsupported)
	}
	if o.ReusePort {
		if err := setReuse(fd); err != nil {
			return err
		}
	}
	if err := setInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, o.SendBuffer, "send buffer"); err != nil {
		return err
	}
	if err := setInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, o.RecvBuffer, "receive buffer"); err != nil {
		return err
	}
	if o.TOS > 0 {
		if err := setTOS(fd, network, o.TOS); err != nil {
			return fmt.Errorf("TOS %#x: %w", o.TOS, err)
		}
	}
	if !isTCP(network) {
		return nil
	}
	if o.NoDelay {
		if err := setInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1, "TCP_NODELAY"); err != nil {
			return err
		}
	}
	return setInt(fd, unix.IPPROTO_TCP, unix.TCP_MAXSEG, o.MSS, "MSS")
}

// setInt sets one integer option when v is positive, naming it in errors.
func setInt(fd, level, opt, v int, what string) error {
	if v <= 0 {
		return nil
	}
	if err := unix.SetsockoptInt(fd, level, opt, v); err != nil {
		return fmt.Errorf("%s %d: %w", what, v, os.NewSyscallError("setsockopt", err))
	}
	return nil
}

// setTOS sets the traffic class of an IPv6 network and the TOS byte
// otherwise; a dual-stack socket that refuses IP_TOS takes the traffic
// class.
func setTOS(fd int, network string, tos int) error {
	if strings.HasSuffix(network, "6") {
		return os.NewSyscallError("setsockopt", unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_TCLASS, tos))
	}
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_TOS, tos); err != nil {
		return os.NewSyscallError("setsockopt", unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_TCLASS, tos))
	}
	return nil
}

// read collects the options in effect on fd; Congestion stays empty.
func read(fd int) (Granted, error) {
	g, _, err := readCommon(fd)
	if err != nil {
		return g, err
	}
	if g.TOS, err = unix.GetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_TOS); err != nil {
		g.TOS, _ = unix.GetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_TCLASS)
	}
	return g, nil
}
