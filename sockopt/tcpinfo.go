package sockopt

import "syscall"

// TCPInfo is the part of the kernel's TCP_INFO that throughput reports use.
type TCPInfo struct {
	TotalRetrans uint32 // segments retransmitted since the connection opened
	SndCwnd      uint64 // congestion window, bytes (segments × MSS)
	SndWnd       uint64 // peer's advertised receive window, bytes (0 when unknown)
	RTT          uint32 // smoothed round-trip time, µs
	RTTVar       uint32 // round-trip time variance, µs
	RcvRTT       uint32 // a receiver's estimate of the round trip, µs (0 until it has one)
	PMTU         uint32 // path MTU, bytes
	Reordering   uint32 // reordering metric, segments
	ReordSeen    uint32 // reordering events seen since the connection opened (Linux 4.19+)
	SndMSS       uint32 // sender MSS, bytes
	// What limited the sender (Linux 4.10+), in µs since the connection
	// opened: Busy is the time it had data in flight; RwndLimited and
	// SndbufLimited the parts of it spent stalled on the peer's receive
	// window and on its own send buffer. 0 where the kernel lacks them.
	Busy, RwndLimited, SndbufLimited uint64
	MinRTT                           uint32 // the kernel's least RTT seen, µs (0 when unknown)
	// DSACKDups counts segments the receiver reported, by D-SACK, as
	// received twice (Linux 4.19+): retransmits that were not needed,
	// as reordering causes.
	DSACKDups uint32
}

// ReadTCPInfo samples TCP_INFO on conn. It returns ErrUnsupported where the
// platform has no TCP_INFO.
func ReadTCPInfo(conn syscall.Conn) (TCPInfo, error) {
	var ti TCPInfo
	err := withFD(conn, func(fd int) error {
		var err error
		ti, err = tcpInfo(fd)
		return err
	})
	return ti, err
}
