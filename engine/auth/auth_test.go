package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// writeFile writes content to name in t's temporary directory.
func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTokenRoundTrip: a token made with the public key opens with the
// private key, with the same padding, and with no other.
func TestTokenRoundTrip(t *testing.T) {
	k := testKey()
	c := Credentials{User: "mesh-7f3a", Password: "Xq9!vR2#kLp0zT8wYb4n", Time: time.Unix(1764600000, 0)}
	for _, pad := range []Padding{OAEP, PKCS1v15} {
		tok, err := NewToken(c, &k.PublicKey, pad)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseToken(tok, k, pad)
		if err != nil || got != c {
			t.Errorf("padding %d: %+v, %v; want %+v", pad, got, err, c)
		}
		if _, err := ParseToken(tok, k, 1-pad); !errors.Is(err, ErrBadToken) {
			t.Errorf("padding %d read with the other: %v", pad, err)
		}
	}
	if _, err := NewToken(Credentials{User: "a b", Password: "x"}, &k.PublicKey, OAEP); err == nil {
		t.Error("a user name with a space made a token")
	}
}

// TestParseText reads iperf3's plain text, and only that.
func TestParseText(t *testing.T) {
	for _, tt := range []struct {
		text string
		ok   bool
	}{
		{"user: alice\npwd:  secret\nts:   1764600000", true},
		{"user:alice\npwd:secret\nts:1764600000", true}, // sscanf skips no whitespace it needs
		{"user: alice\npwd:  secret\nts:   -5", true},
		{"user: alice\npwd:  secret", false},
		{"user: alice\nts:   1\npwd:  x", false},
		{"user: \npwd:  secret\nts:   1", false},
		{"pwd:  secret\nuser: alice\nts:   1", false},
		{"user: alice\npwd:  secret\nts:   12x", false},
		{"", false},
	} {
		c, err := parseText(tt.text)
		if (err == nil) != tt.ok {
			t.Errorf("%q: %+v, %v", tt.text, c, err)
		}
	}
}

// TestCheckUser reads a users file as iperf3 does: comments, blank lines,
// CRLF, a name twice, upper-case hex.
func TestCheckUser(t *testing.T) {
	users := writeFile(t, "users.csv", strings.Join([]string{
		"# authorized users",
		"",
		"alice," + PasswordHash("alice", "old"),
		"alice," + strings.ToUpper(PasswordHash("alice", "secret")) + "\r",
		"bob," + PasswordHash("bob", "hunter2") + ",ignored",
		"carol",
	}, "\n"))
	for _, tt := range []struct {
		user, pwd string
		want      error
	}{
		{"alice", "secret", nil},
		{"alice", "old", nil},
		{"alice", "wrong", ErrWrongPassword},
		{"bob", "hunter2", nil},
		{"carol", "", ErrUnknownUser},
		{"dave", "x", ErrUnknownUser},
	} {
		if err := CheckUser(users, tt.user, tt.pwd); !errors.Is(err, tt.want) && err != tt.want {
			t.Errorf("%s/%s: %v, want %v", tt.user, tt.pwd, err, tt.want)
		}
	}
	if err := CheckUser(filepath.Join(t.TempDir(), "none"), "alice", "secret"); err == nil {
		t.Error("a missing users file let a user in")
	}
}

// TestVerify: the time window, either side, and each refusal.
func TestVerify(t *testing.T) {
	k := testKey()
	users := writeFile(t, "users.csv", "alice,"+PasswordHash("alice", "secret")+"\n")
	v := &Verifier{Key: k, Users: users}
	now := time.Unix(1764600000, 0)
	token := func(user, pwd string, at time.Time) string {
		tok, err := NewToken(Credentials{User: user, Password: pwd, Time: at}, &k.PublicKey, OAEP)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	for _, tt := range []struct {
		name, token string
		want        error
	}{
		{"good", token("alice", "secret", now), nil},
		{"just inside, early", token("alice", "secret", now.Add(-DefaultSkew)), nil},
		{"just inside, late", token("alice", "secret", now.Add(DefaultSkew)), nil},
		{"outside, early", token("alice", "secret", now.Add(-DefaultSkew-time.Second)), ErrSkew},
		{"outside, late", token("alice", "secret", now.Add(DefaultSkew+time.Second)), ErrSkew},
		{"wrong password", token("alice", "nope", now), ErrWrongPassword},
		{"unknown user", token("mallory", "secret", now), ErrUnknownUser},
		{"no token", "", ErrNoToken},
		{"not base64", "!!!", ErrBadToken},
		{"too long", strings.Repeat("A", MaxTokenLen+4), ErrBadToken},
	} {
		user, err := v.Verify(tt.token, now)
		if !errors.Is(err, tt.want) && err != tt.want {
			t.Errorf("%s: %q, %v; want %v", tt.name, user, err, tt.want)
		}
	}
}

// TestLoadKeys reads the PEM forms openssl writes, and refuses a file of
// the other kind.
func TestLoadKeys(t *testing.T) {
	k := testKey()
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(k)
	pkix, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	files := map[string]string{
		"PRIVATE KEY":     string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})),
		"RSA PRIVATE KEY": string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})),
		"PUBLIC KEY":      string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})),
		"RSA PUBLIC KEY":  string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&k.PublicKey)})),
	}
	for typ, content := range files {
		p := writeFile(t, "key.pem", content)
		private := strings.Contains(typ, "PRIVATE")
		if _, err := LoadPrivateKey(p); (err == nil) != private {
			t.Errorf("LoadPrivateKey(%s): %v", typ, err)
		}
		if _, err := LoadPublicKey(p); (err == nil) == private {
			t.Errorf("LoadPublicKey(%s): %v", typ, err)
		}
	}
	if _, err := LoadPrivateKey(writeFile(t, "x", "not pem")); err == nil {
		t.Error("a file without PEM loaded")
	}
}

// TestOpenSSLKeys: the files iperf3's documentation tells users to make.
func TestOpenSSLKeys(t *testing.T) {
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("no openssl")
	}
	dir := t.TempDir()
	priv, pub := filepath.Join(dir, "priv.pem"), filepath.Join(dir, "pub.pem")
	for _, args := range [][]string{{"genrsa", "-out", priv, "2048"}, {"rsa", "-in", priv, "-pubout", "-out", pub}} {
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v %s", args, err, out)
		}
	}
	k, err := LoadPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	p, err := LoadPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Equal(&k.PublicKey) {
		t.Error("the public key is not the private key's")
	}
}
