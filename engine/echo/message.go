package echo

import (
	"bytes"
	"encoding/binary"
	"time"
)

// A measuring message starts with its sequence number and its send time
// (intended send time in open loop), both big-endian, then a fixed
// pattern up to the message size.
const headerLen = 16

// newMessage returns a message buffer of size bytes with the pattern in
// place.
func newMessage(size int) []byte {
	b := make([]byte, size)
	for i := headerLen; i < size; i++ {
		b[i] = byte('a' + i%26)
	}
	return b
}

// stamp writes seq and t into the header of b.
func stamp(b []byte, seq uint64, t time.Duration) {
	binary.BigEndian.PutUint64(b[0:], seq)
	binary.BigEndian.PutUint64(b[8:], uint64(t))
}

// header reads the header of b.
func header(b []byte) (seq uint64, t time.Duration) {
	return binary.BigEndian.Uint64(b[0:]), time.Duration(binary.BigEndian.Uint64(b[8:]))
}

// intact reports whether echo has the pattern of sent after the header.
func intact(echo, sent []byte) bool {
	return len(echo) == len(sent) && bytes.Equal(echo[headerLen:], sent[headerLen:])
}
