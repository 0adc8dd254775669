package auth

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"time"
)

// DefaultSkew is how far a token's time may be from the server's, as
// iperf3's --time-skew-threshold defaults.
const DefaultSkew = 10 * time.Second

// Why Verify refuses, beside ErrBadToken, ErrUnknownUser and
// ErrWrongPassword.
var (
	ErrNoToken = errors.New("no authentication token")
	ErrSkew    = errors.New("the token's time is outside the window")
)

// Verifier is a server's check of clients' tokens.
type Verifier struct {
	Key     *rsa.PrivateKey
	Users   string        // the authorized users file
	Skew    time.Duration // 0 = DefaultSkew
	Padding Padding
}

// Verify checks token at now, and returns the user it names, when it
// names one, and why it is refused, or nil.
func (v *Verifier) Verify(token string, now time.Time) (user string, err error) {
	if token == "" {
		return "", ErrNoToken
	}
	c, err := ParseToken(token, v.Key, v.Padding)
	if err != nil {
		return "", err
	}
	skew := v.Skew
	if skew <= 0 {
		skew = DefaultSkew
	}
	if d := now.Sub(c.Time); d > skew || d < -skew {
		return c.User, fmt.Errorf("%w: %v off, the limit is %v", ErrSkew, d.Round(time.Second), skew)
	}
	return c.User, CheckUser(v.Users, c.User, c.Password)
}
