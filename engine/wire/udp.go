package wire

import "encoding/binary"

// UDP stream set-up messages. The client sends UDPConnect on a new stream's
// socket; the server answers UDPReply. Servers before iperf3 3.12 used the
// Legacy values, written as host-order integers.
var (
	UDPConnect       = [4]byte{'9', '8', '7', '6'}
	UDPReply         = [4]byte{'6', '7', '8', '9'}
	UDPConnectLegacy = [4]byte{0x15, 0xcd, 0x5b, 0x07} // 123456789, little-endian
	UDPReplyLegacy   = [4]byte{0xb1, 0x68, 0xde, 0x3a} // 987654321, little-endian
)

// UDP header sizes, bytes: send time (seconds, microseconds) and a 32-bit or
// 64-bit sequence number.
const (
	UDPHeaderLen   = 12
	UDPHeaderLen64 = 16
)

// UDPHeader is the header at the front of every UDP data datagram. Sec and
// Usec are the sender's monotonic clock; only differences matter.
type UDPHeader struct {
	Sec  uint32
	Usec uint32
	Seq  uint64 // 1 for a stream's first datagram
}

// HeaderLen returns the header size for the negotiated counter width.
func HeaderLen(wide bool) int {
	if wide {
		return UDPHeaderLen64
	}
	return UDPHeaderLen
}

// Put writes h at the front of b, which must hold HeaderLen(wide) bytes. A
// 32-bit counter keeps the low 32 bits of Seq.
func (h UDPHeader) Put(b []byte, wide bool) {
	binary.BigEndian.PutUint32(b[0:], h.Sec)
	binary.BigEndian.PutUint32(b[4:], h.Usec)
	if wide {
		binary.BigEndian.PutUint64(b[8:], h.Seq)
		return
	}
	binary.BigEndian.PutUint32(b[8:], uint32(h.Seq))
}

// ParseUDPHeader reads the header at the front of b. It reports false when b
// is too short to hold one.
func ParseUDPHeader(b []byte, wide bool) (UDPHeader, bool) {
	if len(b) < HeaderLen(wide) {
		return UDPHeader{}, false
	}
	h := UDPHeader{
		Sec:  binary.BigEndian.Uint32(b[0:]),
		Usec: binary.BigEndian.Uint32(b[4:]),
	}
	if wide {
		h.Seq = binary.BigEndian.Uint64(b[8:])
	} else {
		h.Seq = uint64(binary.BigEndian.Uint32(b[8:]))
	}
	return h, true
}
