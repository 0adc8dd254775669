//go:build !goperf_portable

package sockopt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// struct tcmsg (linux/rtnetlink.h): family, three bytes of padding,
// ifindex, handle, parent, info.
const (
	sizeofTcMsg  = 20
	tcMsgIfindex = 4
)

func qdiscKinds(ifindex int) ([]string, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	defer unix.Close(fd)
	req := make([]byte, unix.NLMSG_HDRLEN+sizeofTcMsg)
	binary.NativeEndian.PutUint32(req[0:], uint32(len(req)))
	binary.NativeEndian.PutUint16(req[4:], unix.RTM_GETQDISC)
	binary.NativeEndian.PutUint16(req[6:], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	binary.NativeEndian.PutUint32(req[8:], 1)
	if err := unix.Sendto(fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, os.NewSyscallError("sendto", err)
	}
	var kinds []string
	buf := make([]byte, 64<<10)
	for range 1000 { // a dump of that many reads would be a very odd kernel
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			return nil, os.NewSyscallError("recvfrom", err)
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			return nil, fmt.Errorf("qdisc dump: %w", err)
		}
		for _, m := range msgs {
			switch m.Header.Type {
			case unix.NLMSG_DONE:
				return kinds, nil
			case unix.NLMSG_ERROR:
				return nil, errors.New("qdisc dump: the kernel refused it")
			case unix.RTM_NEWQDISC:
				if k, ok := qdiscKind(m.Data, ifindex); ok {
					kinds = append(kinds, k)
				}
			}
		}
	}
	return nil, errors.New("qdisc dump: no end")
}

// qdiscKind returns the kind (TCA_KIND) of a qdisc message about device
// ifindex.
func qdiscKind(data []byte, ifindex int) (string, bool) {
	if len(data) < sizeofTcMsg || int(int32(binary.NativeEndian.Uint32(data[tcMsgIfindex:]))) != ifindex {
		return "", false
	}
	for a := data[sizeofTcMsg:]; len(a) >= unix.SizeofRtAttr; {
		l, typ := int(binary.NativeEndian.Uint16(a)), binary.NativeEndian.Uint16(a[2:])
		if l < unix.SizeofRtAttr || l > len(a) {
			return "", false
		}
		if typ == unix.TCA_KIND {
			return strings.TrimRight(string(a[unix.SizeofRtAttr:l]), "\x00"), true
		}
		a = a[min((l+unix.RTA_ALIGNTO-1)&^(unix.RTA_ALIGNTO-1), len(a)):]
	}
	return "", false
}
