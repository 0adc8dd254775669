package engine

import "crypto/rand"

// fillPayload writes what a sender's buffer carries, once, before the
// test: random bytes, as iperf3 sends by default so that a link that
// compresses cannot inflate the result, or with repeating iperf3's
// --repeating-payload pattern, "0123456789" over and over.
func fillPayload(b []byte, repeating bool) {
	if !repeating {
		_, _ = rand.Read(b) // crypto/rand.Read never fails: it crashes the program instead
		return
	}
	for i := range b {
		b[i] = byte('0' + i%10)
	}
}
