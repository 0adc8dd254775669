package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goperf/goperf/engine/auth"
	"github.com/goperf/goperf/engine/enginetest"
)

// keyFiles writes an RSA key pair and a users file of alice/secret, and
// returns their paths.
func keyFiles(t *testing.T) (priv, pub, users string) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(k)
	pkix, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	priv, pub, users = filepath.Join(dir, "priv.pem"), filepath.Join(dir, "pub.pem"), filepath.Join(dir, "users.csv")
	for path, b := range map[string][]byte{
		priv:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}),
		pub:   pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix}),
		users: []byte("alice," + auth.PasswordHash("alice", "secret") + "\n"),
	} {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return priv, pub, users
}

// TestAuthFlags: the authentication flags' mistakes are one line each and
// nothing runs; a server whose key or users file cannot be read does not
// start.
func TestAuthFlags(t *testing.T) {
	priv, _, users := keyFiles(t)
	missing := filepath.Join(t.TempDir(), "none.csv")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-s", "--rsa-private-key-path", priv}, "needs both --rsa-private-key-path and --authorized-users-path"},
		{[]string{"-s", "--rsa-private-key-path", priv, "--authorized-users-path", missing}, "authorized users: open"},
		{[]string{"-s", "--rsa-private-key-path", users, "--authorized-users-path", users}, "private key:"},
		{[]string{"-s", "--rsa-private-key-path", priv, "--authorized-users-path", users, "--time-skew-threshold", "0"}, "must be positive"},
		{[]string{"-s", "--username", "alice"}, "are for a client"},
		{[]string{"-c", "--username", "alice"}, "needs both --username and --rsa-public-key-path"},
		{[]string{"-c", "--username", "alice", "--rsa-public-key-path", priv}, "public key:"},
		{[]string{"-c", "--authorized-users-path", users}, "are for a server"},
	} {
		t.Run(strings.Join(tt.args[:2], " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			msg := stderr.String()
			if code == 0 || strings.Count(msg, "\n") != 1 || !strings.Contains(msg, tt.want) {
				t.Errorf("%v: exit %d, %q; want one line with %q", tt.args, code, msg, tt.want)
			}
		})
	}
}

// TestAuthProcesses: a goperf client takes its password from
// IPERF3_PASSWORD and tests against an authenticating goperf server; with
// no password and no terminal to ask on it says so in one line; with a
// wrong one it fails in one line, and the server, which logged it, serves
// the next.
func TestAuthProcesses(t *testing.T) {
	priv, pub, users := keyFiles(t)
	_, port := server(t, "--rsa-private-key-path", priv, "--authorized-users-path", users)
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	client := func(pwd *string) *proc {
		cmd := exec.Command(bin, "-c", "127.0.0.1", "-p", port, "-t", "1", "--username", "alice", "--rsa-public-key-path", pub)
		cmd.Env = os.Environ()
		for i, kv := range cmd.Env {
			if strings.HasPrefix(kv, passwordEnv+"=") {
				cmd.Env[i] = "GOPERF_UNSET=" // not the caller's
			}
		}
		if pwd != nil {
			cmd.Env = append(cmd.Env, passwordEnv+"="+*pwd)
		}
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no terminal to ask on
		return enginetest.Start(t, cmd)
	}
	good, bad := "secret", "wrong"
	if c := client(&good); c.Wait(t, 30*time.Second) != 0 {
		t.Errorf("the right password: %s", c.Stderr.String())
	}
	c := client(nil)
	if c.Wait(t, 10*time.Second) == 0 || !strings.Contains(c.Stderr.String(), "no password: set IPERF3_PASSWORD") {
		t.Errorf("no password: %q", c.Stderr.String())
	}
	oneErrorLine(t, c.Stderr.String())
	c = client(&bad)
	if c.Wait(t, 10*time.Second) == 0 || !strings.Contains(c.Stderr.String(), "test authorization failed") {
		t.Errorf("a wrong password: %q", c.Stderr.String())
	}
	oneErrorLine(t, c.Stderr.String())
	if c := client(&good); c.Wait(t, 30*time.Second) != 0 {
		t.Errorf("the next client: %s", c.Stderr.String())
	}
}
