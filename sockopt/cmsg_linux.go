//go:build !goperf_portable

package sockopt

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// cmsgs walks a control-message buffer without allocating, unlike
// unix.ParseSocketControlMessage.
type cmsgs []byte

// next returns the first message's level, type and data, and the rest of
// the buffer; ok is false at the end or at a malformed header.
func (c cmsgs) next() (level, typ int32, data []byte, rest cmsgs, ok bool) {
	if len(c) < unix.SizeofCmsghdr {
		return 0, 0, nil, nil, false
	}
	h := (*unix.Cmsghdr)(unsafe.Pointer(&c[0]))
	if h.Len < unix.SizeofCmsghdr || uint64(h.Len) > uint64(len(c)) {
		return 0, 0, nil, nil, false
	}
	data = c[unix.CmsgLen(0):h.Len]
	rest = c[min(unix.CmsgSpace(len(data)), len(c)):]
	return h.Level, h.Type, data, rest, true
}

// putCmsg writes a control message header for n bytes of data at the front
// of b, which must hold unix.CmsgSpace(n) bytes, and returns the data part.
func putCmsg(b []byte, level, typ int32, n int) []byte {
	h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level, h.Type = level, typ
	h.SetLen(unix.CmsgLen(n))
	return b[unix.CmsgLen(0):unix.CmsgLen(n)]
}
