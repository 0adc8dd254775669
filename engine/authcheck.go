package engine

import (
	"crypto/rsa"
	"fmt"
	"time"

	"github.com/goperf/goperf/engine/auth"
	"github.com/goperf/goperf/engine/wire"
)

// ClientAuth is what a client authenticates with to a server that asks
// (iperf3's --username, --rsa-public-key-path, IPERF3_PASSWORD).
type ClientAuth struct {
	User, Password string
	Key            *rsa.PublicKey // the server's
	Padding        auth.Padding

	now func() time.Time // the token's clock; nil = time.Now (tests skew it)
}

// token makes the parameters' authtoken at now.
func (a *ClientAuth) token(now time.Time) (string, error) {
	tok, err := auth.NewToken(auth.Credentials{User: a.User, Password: a.Password, Time: now}, a.Key, a.Padding)
	if err != nil {
		return "", fmt.Errorf("authentication: %w", err)
	}
	return tok, nil
}

// params returns the test's parameters, with the token when the client
// authenticates: made now, so that its time is the moment it is sent.
func (c *client) params() (*wire.Params, error) {
	sp := c.cfg.Spec
	sp.NoGSO, sp.NoGRO = sp.NoGSO || c.cfg.UDP.NoGSO, sp.NoGRO || c.cfg.UDP.NoGRO // the server's streams do as the client's
	p := sp.params()
	if c.cfg.Auth != nil {
		now := time.Now
		if c.cfg.Auth.now != nil {
			now = c.cfg.Auth.now
		}
		tok, err := c.cfg.Auth.token(now())
		if err != nil {
			return nil, err
		}
		p.AuthToken = tok
	}
	return p, nil
}

// authenticate checks the token of a server's test, when the server asks
// for one, and refuses the test with iperf3's "test authorization failed"
// otherwise. The error names the user when the token named one, never the
// password.
func (ss *session) authenticate(p *wire.Params) error {
	v := ss.srv.cfg.Auth
	if v == nil {
		return nil
	}
	user, err := v.Verify(p.AuthToken, time.Now())
	if err == nil {
		return nil
	}
	ss.authFailed = true
	ss.sendError(wire.CodeAuthTest)
	if user != "" {
		return fmt.Errorf("authentication failed for user %q: %w", user, err)
	}
	return fmt.Errorf("authentication failed: %w", err)
}
