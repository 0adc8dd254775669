//go:build !linux || goperf_portable

package sockopt

// HasTCPInfo reports whether ReadTCPInfo can sample the kernel's TCP_INFO
// (and Read the congestion control algorithm).
const HasTCPInfo = false

// tcpInfo is unavailable off Linux.
func tcpInfo(_ int) (TCPInfo, error) {
	return TCPInfo{}, ErrUnsupported
}
