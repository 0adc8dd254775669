package sockopt

import (
	"net"
	"slices"
)

// The kernel paces a socket to SO_MAX_PACING_RATE in two places: TCP
// paces itself (Linux 4.13 and later), and the fq queueing discipline
// paces every socket, UDP included. A UDP stream's pacing rate therefore
// holds only where the device it leaves by has an fq qdisc.

// QdiscKinds returns the kinds of the queueing disciplines on the network
// device with index ifindex ("fq", "noqueue", "mq", "fq_codel"), read
// from the kernel (rtnetlink). Where that is not available it returns
// ErrUnsupported.
func QdiscKinds(ifindex int) ([]string, error) { return qdiscKinds(ifindex) }

// PacedByFQ reports whether the device holding local, a socket's local
// address, has an fq qdisc, and names the device and its qdiscs, for a
// message. The device is found by the address it holds, which is the one
// a connected socket leaves by unless routes say otherwise.
func PacedByFQ(local net.IP) (fq bool, device string, kinds []string, err error) {
	ifi, err := deviceOf(local)
	if err != nil {
		return false, "", nil, err
	}
	kinds, err = QdiscKinds(ifi.Index)
	return slices.Contains(kinds, "fq"), ifi.Name, kinds, err
}

// deviceOf returns the interface that holds ip.
func deviceOf(ip net.IP) (*net.Interface, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	for i := range ifs {
		addrs, err := ifs[i].Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.Equal(ip) {
				return &ifs[i], nil
			}
		}
	}
	return nil, &net.AddrError{Err: "no device holds the address", Addr: ip.String()}
}
