package wire

import (
	"bytes"
	"crypto/rand"
	"io"
)

// CookieLen is the size of a cookie on the wire: 36 characters and a NUL.
const CookieLen = 37

// cookieAlphabet is the set stock clients draw from. Servers do not check it.
const cookieAlphabet = "abcdefghijklmnopqrstuvwxyz234567"

// Cookie identifies one test. The client writes it first on the control
// connection and on every TCP data stream, so the server can match streams
// to their test.
type Cookie [CookieLen]byte

// NewCookie returns a random cookie in the stock alphabet.
func NewCookie() Cookie {
	var c Cookie
	_, _ = rand.Read(c[:CookieLen-1]) // crypto/rand.Read never fails (Go 1.24+)
	for i := range CookieLen - 1 {
		c[i] = cookieAlphabet[c[i]%byte(len(cookieAlphabet))]
	}
	c[CookieLen-1] = 0
	return c
}

// ReadCookie reads the 37 bytes of a cookie.
func ReadCookie(r io.Reader) (Cookie, error) {
	var c Cookie
	_, err := io.ReadFull(r, c[:])
	return c, err
}

// String returns the cookie's characters up to the first NUL, as iperf3
// prints it in its JSON output.
func (c Cookie) String() string {
	if i := bytes.IndexByte(c[:], 0); i >= 0 {
		return string(c[:i])
	}
	return string(c[:])
}
