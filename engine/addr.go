package engine

import (
	"net"
	"strconv"
)

// Addresses as reports print them and listeners take them.

// hostPort splits a net.Addr into host and port for reports.
func hostPort(a net.Addr) (string, int) {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String(), 0
	}
	p, _ := strconv.Atoi(port)
	return host, p
}

// joinHostPort is net.JoinHostPort with an integer port.
func joinHostPort(host string, port int) string {
	return net.JoinHostPort(host, strconv.Itoa(port))
}
