package echo

import (
	"bytes"
	"encoding/binary"
	"time"
)

// A measuring message is a header, then a payload that depends only on
// the byte's position:
//
//	0..7   sequence number on its connection, big-endian
//	8..15  intended send time, nanoseconds after the run's epoch, big-endian
//	16..   byte i is payloadByte(i)
//
// The receiver rebuilds the message it expects from the sequence number
// and compares every byte, so a corrupted header is caught as surely as a
// corrupted payload.
const headerLen = 16

// newMessage returns a message buffer of size bytes with its payload filled.
func newMessage(size int) []byte {
	m := make([]byte, size)
	for i := headerLen; i < size; i++ {
		m[i] = payloadByte(i)
	}
	return m
}

// echoBuffer returns a buffer for the echo of a size-byte message: size
// bytes over TCP, which reads exactly one message from the stream; one
// more over UDP, so that a longer datagram shows as one.
func echoBuffer(size int, proto Proto) []byte {
	if proto == UDP {
		return make([]byte, size+1)
	}
	return make([]byte, size)
}

// payloadByte is the byte at position i: not all zeros, not periodic in any
// small power of two, so shifted or truncated echoes do not match.
func payloadByte(i int) byte { return byte(i*7 + i>>8) }

// stamp writes the header of message seq sent (or due) at t.
func stamp(m []byte, seq uint64, t time.Duration) {
	binary.BigEndian.PutUint64(m[0:8], seq)
	binary.BigEndian.PutUint64(m[8:16], uint64(t))
}

// seqOf returns the sequence number in m's header.
func seqOf(m []byte) uint64 { return binary.BigEndian.Uint64(m[0:8]) }

// matches reports whether got is exactly want.
func matches(got, want []byte) bool { return bytes.Equal(got, want) }

// busyPrefix starts the line a full server sends instead of an echo.
const busyPrefix = "goecho: server busy"

// isBusy reports whether got, an echo that differs from what was sent,
// starts like a full server's refusal.
func isBusy(got []byte) bool {
	n := min(len(got), len(busyPrefix))
	return n > 0 && string(got[:n]) == busyPrefix[:n]
}
