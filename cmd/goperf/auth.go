package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/goperf/goperf/engine"
	"github.com/goperf/goperf/engine/auth"
)

// authFlags are iperf3's authentication flags, both ends'.
type authFlags struct {
	Username   string         `name:"username" help:"Client: the user to authenticate as; the password comes from IPERF3_PASSWORD or a prompt."`
	PublicKey  string         `name:"rsa-public-key-path" type:"path" help:"Client: the server's RSA public key (PEM), to encrypt the credentials with."`
	PrivateKey string         `name:"rsa-private-key-path" type:"path" help:"Server: its RSA private key (PEM); with --authorized-users-path, only authenticated clients may test."`
	Users      string         `name:"authorized-users-path" type:"path" help:"Server: the file of user,sha256(\"{user}password\") lines, read for every test."`
	Skew       engine.Seconds `name:"time-skew-threshold" default:"10" help:"Server: how far a client's clock may be from the server's."`
	PKCS1      bool           `name:"use-pkcs1-padding" help:"Pad credentials with PKCS #1 v1.5 instead of OAEP, as iperf3 before 3.17 does (both ends)."`
}

// passwordEnv is where iperf3, and goperf, read a client's password.
const passwordEnv = "IPERF3_PASSWORD"

func (a *authFlags) padding() auth.Padding {
	if a.PKCS1 {
		return auth.PKCS1v15
	}
	return auth.OAEP
}

// clientAuth returns the client's credentials, or nil when it gives none.
func (c *cli) clientAuth() (*engine.ClientAuth, error) {
	a := &c.authFlags
	switch {
	case a.PrivateKey != "" || a.Users != "":
		return nil, errors.New("--rsa-private-key-path and --authorized-users-path are for a server (-s)")
	case a.Username == "" && a.PublicKey == "":
		return nil, nil
	case a.Username == "" || a.PublicKey == "":
		return nil, errors.New("authentication needs both --username and --rsa-public-key-path")
	}
	key, err := auth.LoadPublicKey(a.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	pwd, err := password()
	if err != nil {
		return nil, err
	}
	return &engine.ClientAuth{User: a.Username, Password: pwd, Key: key, Padding: a.padding()}, nil
}

// password reads the client's password from IPERF3_PASSWORD, or else asks
// for it on the terminal without echo.
func password() (string, error) {
	if p, ok := os.LookupEnv(passwordEnv); ok {
		return p, nil
	}
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil || !term.IsTerminal(int(tty.Fd())) {
		return "", fmt.Errorf("no password: set %s, or run goperf on a terminal to be asked", passwordEnv)
	}
	defer tty.Close()
	fmt.Fprint(tty, "Password: ")
	p, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(tty)
	if err != nil {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	return string(p), nil
}

// serverAuth returns the server's check of clients' credentials, or nil
// when it asks for none. The key and the users file are checked now, so
// that a server that cannot authenticate does not start.
func (c *cli) serverAuth() (*auth.Verifier, error) {
	a := &c.authFlags
	switch {
	case a.Username != "" || a.PublicKey != "":
		return nil, errors.New("--username and --rsa-public-key-path are for a client (-c)")
	case a.PrivateKey == "" && a.Users == "":
		return nil, nil
	case a.PrivateKey == "" || a.Users == "":
		return nil, errors.New("authentication needs both --rsa-private-key-path and --authorized-users-path")
	case a.Skew <= 0:
		return nil, errors.New("--time-skew-threshold must be positive")
	}
	key, err := auth.LoadPrivateKey(a.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("private key: %w", err)
	}
	f, err := os.Open(a.Users)
	if err != nil {
		return nil, fmt.Errorf("authorized users: %w", err)
	}
	_ = f.Close() // read again for every test
	return &auth.Verifier{Key: key, Users: a.Users, Skew: time.Duration(a.Skew), Padding: a.padding()}, nil
}
