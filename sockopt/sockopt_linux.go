//go:build !goperf_portable

package sockopt

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// apply sets every option o asks for on fd.
func (o Options) apply(fd int, network string) error {
	if o.ReusePort {
		if err := setReuse(fd); err != nil {
			return err
		}
	}
	if o.PacketInfo {
		if err := setPacketInfo(fd); err != nil {
			return err
		}
	}
	if o.Device != "" {
		if err := unix.BindToDevice(fd, o.Device); err != nil {
			return fmt.Errorf("bind to device %q: %w", o.Device, os.NewSyscallError("setsockopt", err))
		}
	}
	if o.SendBuffer > 0 {
		if err := setBuffer(fd, unix.SO_SNDBUFFORCE, unix.SO_SNDBUF, o.SendBuffer); err != nil {
			return fmt.Errorf("send buffer %d: %w", o.SendBuffer, err)
		}
	}
	if o.RecvBuffer > 0 {
		if err := setBuffer(fd, unix.SO_RCVBUFFORCE, unix.SO_RCVBUF, o.RecvBuffer); err != nil {
			return fmt.Errorf("receive buffer %d: %w", o.RecvBuffer, err)
		}
	}
	if o.TOS > 0 {
		if err := setTOS(fd, network, o.TOS); err != nil {
			return fmt.Errorf("TOS %#x: %w", o.TOS, err)
		}
	}
	if o.DontFragment {
		if err := setDontFragment(fd); err != nil {
			return fmt.Errorf("don't fragment: %w", err)
		}
	}
	if o.MaxPacingRate > 0 {
		if err := unix.SetsockoptUint64(fd, unix.SOL_SOCKET, unix.SO_MAX_PACING_RATE, o.MaxPacingRate); err != nil {
			return fmt.Errorf("pacing rate %d B/s: %w", o.MaxPacingRate, os.NewSyscallError("setsockopt", err))
		}
	}
	if !isTCP(network) {
		return nil
	}
	return o.applyTCP(fd)
}

// applyTCP sets the TCP-level options.
func (o Options) applyTCP(fd int) error {
	if o.NoDelay {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1); err != nil {
			return fmt.Errorf("TCP_NODELAY: %w", os.NewSyscallError("setsockopt", err))
		}
	}
	if o.MSS > 0 {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_MAXSEG, o.MSS); err != nil {
			return fmt.Errorf("MSS %d: %w", o.MSS, os.NewSyscallError("setsockopt", err))
		}
	}
	if o.UserTimeout > 0 {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_USER_TIMEOUT, o.UserTimeout); err != nil {
			return fmt.Errorf("TCP_USER_TIMEOUT %d ms: %w", o.UserTimeout, os.NewSyscallError("setsockopt", err))
		}
	}
	if o.Congestion != "" {
		if err := unix.SetsockoptString(fd, unix.IPPROTO_TCP, unix.TCP_CONGESTION, o.Congestion); err != nil {
			return fmt.Errorf("congestion control %q: %w (see /proc/sys/net/ipv4/tcp_available_congestion_control)",
				o.Congestion, os.NewSyscallError("setsockopt", err))
		}
	}
	return nil
}

// setBuffer asks for size bytes with the FORCE variant, which ignores the
// rmem_max/wmem_max caps but needs CAP_NET_ADMIN, and falls back to the
// capped option when that is refused.
func setBuffer(fd, force, plain, size int) error {
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, force, size); err == nil {
		return nil
	}
	return os.NewSyscallError("setsockopt", unix.SetsockoptInt(fd, unix.SOL_SOCKET, plain, size))
}

// setTOS sets the IPv4 TOS byte and, on IPv6 sockets, the traffic class.
// A dual-stack socket carries IPv4 traffic with IP_TOS and IPv6 traffic with
// IPV6_TCLASS, so both are set; on an IPv4 socket IPV6_TCLASS fails and that
// failure is expected.
func setTOS(fd int, network string, tos int) error {
	domain, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN)
	if err != nil {
		return os.NewSyscallError("getsockopt", err)
	}
	if domain == unix.AF_INET6 {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_TCLASS, tos); err != nil {
			return os.NewSyscallError("setsockopt", err)
		}
		if isIPv6(network) {
			return nil
		}
	}
	return os.NewSyscallError("setsockopt", unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_TOS, tos))
}

// read collects the options in effect on fd.
func read(fd int) (Granted, error) {
	g, stream, err := readCommon(fd)
	if err != nil {
		return g, err
	}
	g.TOS = readTOS(fd)
	g.DontFragment = readDontFragment(fd)
	g.MaxPacingRate = readPacingRate(fd)
	if stream {
		g.Congestion, _ = unix.GetsockoptString(fd, unix.IPPROTO_TCP, unix.TCP_CONGESTION)
		g.UserTimeout, _ = unix.GetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_USER_TIMEOUT)
	}
	return g, nil
}

// readPacingRate returns SO_MAX_PACING_RATE in bytes/s, 0 when the
// socket is not limited (the kernel's ~0) or the option cannot be read.
func readPacingRate(fd int) uint64 {
	v, err := unix.GetsockoptUint64(fd, unix.SOL_SOCKET, unix.SO_MAX_PACING_RATE)
	if err != nil || v == ^uint64(0) || v == uint64(^uint32(0)) {
		return 0
	}
	return v
}

// readTOS returns the TOS byte of an IPv4 socket or the traffic class of an
// IPv6 one, or 0 when neither can be read.
func readTOS(fd int) int {
	if domain, _ := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN); domain == unix.AF_INET6 {
		v, _ := unix.GetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_TCLASS)
		return v
	}
	v, _ := unix.GetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_TOS)
	return v
}

// setPacketInfo asks for each datagram's destination address. A dual-stack
// socket needs both levels; an IPv4 one refuses IPV6_RECVPKTINFO, on
// purpose.
func setPacketInfo(fd int) error {
	domain, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN)
	if err != nil {
		return os.NewSyscallError("getsockopt", err)
	}
	if domain == unix.AF_INET6 {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_RECVPKTINFO, 1); err != nil {
			return fmt.Errorf("IPV6_RECVPKTINFO: %w", os.NewSyscallError("setsockopt", err))
		}
	}
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_PKTINFO, 1); err != nil && domain != unix.AF_INET6 {
		return fmt.Errorf("IP_PKTINFO: %w", os.NewSyscallError("setsockopt", err))
	}
	return nil
}
