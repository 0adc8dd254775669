//go:build !linux

package sockopt

// tcpInfo is unavailable off Linux.
func tcpInfo(_ int) (TCPInfo, error) {
	return TCPInfo{}, ErrUnsupported
}
