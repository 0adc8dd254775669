package auth

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// fuzzKey is a key kept in testdata for the fuzz targets and their seeds,
// so that a seed can be a token that decrypts. It guards nothing.
var fuzzKey = sync.OnceValues(func() (*Verifier, error) {
	k, err := LoadPrivateKey("testdata/fuzz-only-key.pem")
	return &Verifier{Key: k}, err
})

// FuzzParseToken: whatever a client sends as its token, the server's
// decoding neither panics nor takes more than the bounded token, and what
// it accepts are whole credentials.
func FuzzParseToken(f *testing.F) {
	v, err := fuzzKey()
	if err != nil {
		f.Fatal(err)
	}
	for _, pad := range []Padding{OAEP, PKCS1v15} {
		tok, err := NewToken(Credentials{User: "alice", Password: "secret", Time: time.Unix(1764600000, 0)}, &v.Key.PublicKey, pad)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(tok, pad == PKCS1v15)
	}
	f.Fuzz(func(t *testing.T, token string, pkcs1 bool) {
		pad := OAEP
		if pkcs1 {
			pad = PKCS1v15
		}
		c, err := ParseToken(token, v.Key, pad)
		if err != nil {
			return
		}
		if c.User == "" || c.Password == "" || strings.ContainsAny(c.User+c.Password, " \t\r\n") {
			t.Errorf("accepted credentials %+v", c)
		}
	})
}

// FuzzParseText: the token's plain text, decrypted, is read as iperf3's
// sscanf reads it; no input panics, and what is accepted is whole.
func FuzzParseText(f *testing.F) {
	f.Add("user: alice\npwd:  secret\nts:   1764600000")
	f.Fuzz(func(t *testing.T, text string) {
		c, err := parseText(text)
		if err == nil && (c.User == "" || c.Password == "" || strings.ContainsAny(c.User+c.Password, " \t\r\n")) {
			t.Errorf("accepted %+v from %q", c, text)
		}
	})
}
