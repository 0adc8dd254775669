package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Padding is how the token is padded for RSA.
type Padding int

const (
	OAEP     Padding = iota // OAEP with SHA-1 and MGF1-SHA-1, iperf3 3.17 and later
	PKCS1v15                // PKCS #1 v1.5, iperf3 before 3.17 or --use-pkcs1-padding
)

// Credentials are what a token carries.
type Credentials struct {
	User, Password string
	Time           time.Time // when the client made the token, whole seconds
}

// The token's plain text is iperf3's auth_text_format, "user: %s\npwd:
// %s\nts:   %" PRId64: three tags, each followed by a word, which iperf3
// reads back with sscanf, whitespace between them as it comes.
const (
	userTag = "user:"
	pwdTag  = "pwd:"
	tsTag   = "ts:"
)

// MaxTokenLen bounds a token a server decodes: base64 of an RSA block of
// 16384 bits, more than any key in use. A longer one is refused unread.
const MaxTokenLen = 4 * ((16384/8 + 2) / 3)

// ErrBadToken reports a token that does not decode to credentials with
// this key and padding.
var ErrBadToken = errors.New("the authentication token does not decode")

// NewToken encrypts c for the server whose public key is pub.
func NewToken(c Credentials, pub *rsa.PublicKey, pad Padding) (string, error) {
	if strings.ContainsAny(c.User+c.Password, " \t\r\n") || c.User == "" || c.Password == "" {
		return "", errors.New("user name and password must be non-empty, without spaces")
	}
	text := userTag + " " + c.User + "\n" + pwdTag + "  " + c.Password + "\n" + tsTag + "   " + strconv.FormatInt(c.Time.Unix(), 10)
	var enc []byte
	var err error
	switch pad {
	case PKCS1v15:
		enc, err = rsa.EncryptPKCS1v15(rand.Reader, pub, []byte(text)) //nolint:staticcheck // iperf3 before 3.17 has nothing else
	default:
		enc, err = rsa.EncryptOAEP(sha1.New(), rand.Reader, pub, []byte(text), nil)
	}
	if err != nil {
		return "", fmt.Errorf("encrypting the credentials: %w", err)
	}
	return base64.StdEncoding.EncodeToString(enc), nil
}

// ParseToken decrypts a token with the server's private key priv.
func ParseToken(token string, priv *rsa.PrivateKey, pad Padding) (Credentials, error) {
	if len(token) > MaxTokenLen {
		return Credentials{}, fmt.Errorf("%w: %d bytes", ErrBadToken, len(token))
	}
	enc, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
	if err != nil || len(enc) != priv.Size() {
		return Credentials{}, ErrBadToken
	}
	var text []byte
	switch pad {
	case PKCS1v15:
		text, err = rsa.DecryptPKCS1v15(nil, priv, enc) //nolint:staticcheck // iperf3 before 3.17 has nothing else
	default:
		text, err = rsa.DecryptOAEP(sha1.New(), nil, priv, enc, nil)
	}
	if err != nil {
		return Credentials{}, ErrBadToken
	}
	return parseText(string(text))
}

// parseText reads the token's plain text as iperf3's sscanf does: the
// three tags in order, each followed by a word.
func parseText(text string) (Credentials, error) {
	var c Credentials
	rest := text
	word := func(tag string) (string, bool) {
		if !strings.HasPrefix(rest, tag) {
			return "", false
		}
		rest = strings.TrimLeft(rest[len(tag):], " \t\r\n")
		end := strings.IndexAny(rest, " \t\r\n")
		if end < 0 {
			end = len(rest)
		}
		w := rest[:end]
		rest = strings.TrimLeft(rest[end:], " \t\r\n")
		return w, w != ""
	}
	user, ok1 := word(userTag)
	pwd, ok2 := word(pwdTag)
	ts, ok3 := word(tsTag)
	secs, err := strconv.ParseInt(ts, 10, 64)
	if !ok1 || !ok2 || !ok3 || err != nil {
		return Credentials{}, ErrBadToken
	}
	c.User, c.Password, c.Time = user, pwd, time.Unix(secs, 0)
	return c, nil
}
