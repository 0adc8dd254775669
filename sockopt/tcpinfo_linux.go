//go:build !goperf_portable

package sockopt

import (
	"os"

	"golang.org/x/sys/unix"
)

// HasTCPInfo reports whether ReadTCPInfo can sample the kernel's TCP_INFO
// (and Read the congestion control algorithm).
const HasTCPInfo = true

// tcpInfo reads TCP_INFO on fd.
func tcpInfo(fd int) (TCPInfo, error) {
	ti, err := unix.GetsockoptTCPInfo(fd, unix.IPPROTO_TCP, unix.TCP_INFO)
	if err != nil {
		return TCPInfo{}, os.NewSyscallError("getsockopt", err)
	}
	return TCPInfo{
		TotalRetrans:  ti.Total_retrans,
		SndCwnd:       uint64(ti.Snd_cwnd) * uint64(ti.Snd_mss),
		SndWnd:        uint64(ti.Snd_wnd),
		RTT:           ti.Rtt,
		RTTVar:        ti.Rttvar,
		RcvRTT:        ti.Rcv_rtt,
		PMTU:          ti.Pmtu,
		Reordering:    ti.Reordering,
		ReordSeen:     ti.Reord_seen,
		SndMSS:        ti.Snd_mss,
		Busy:          ti.Busy_time,
		RwndLimited:   ti.Rwnd_limited,
		SndbufLimited: ti.Sndbuf_limited,
		MinRTT:        ti.Min_rtt,
		DSACKDups:     ti.Dsack_dups,
	}, nil
}
