package engine

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goperf/goperf/engine/auth"
	"github.com/goperf/goperf/engine/wire"
)

// authFiles are a server's key pair and users file, as openssl and a
// user would write them.
type authFiles struct {
	key              *rsa.PrivateKey
	priv, pub, users string
}

var authKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// newAuthFiles writes the key pair and a users file of alice/secret.
func newAuthFiles(t *testing.T) *authFiles {
	t.Helper()
	k := authKey()
	dir := t.TempDir()
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(k)
	pkix, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	f := &authFiles{key: k, priv: filepath.Join(dir, "priv.pem"), pub: filepath.Join(dir, "pub.pem"), users: filepath.Join(dir, "users.csv")}
	for path, content := range map[string][]byte{
		f.priv:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}),
		f.pub:   pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix}),
		f.users: []byte("# test users\nalice," + auth.PasswordHash("alice", "secret") + "\n"),
	} {
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// isAuthRefusal reports whether err is iperf3's "test authorization failed".
func isAuthRefusal(err error) bool {
	var se *wire.ServerError
	return errors.As(err, &se) && se.Code == wire.CodeAuthTest
}

// TestAuthGoperf: a goperf server with authentication serves a goperf
// client with the right credentials, TCP and UDP, and refuses each wrong
// case with iperf3's code, one log line each that names the user and
// never the password, serving the next client after each; an edit of the
// users file counts at the next test.
func TestAuthGoperf(t *testing.T) {
	f := newAuthFiles(t)
	for _, pad := range []auth.Padding{auth.OAEP, auth.PKCS1v15} {
		t.Run(map[auth.Padding]string{auth.OAEP: "oaep", auth.PKCS1v15: "pkcs1"}[pad], func(t *testing.T) {
			ts := startServer(t, ServerConfig{Auth: &auth.Verifier{Key: f.key, Users: f.users, Padding: pad}}, JSON)
			run := func(a *ClientAuth, sp Spec) error {
				cfg := ts.clientConfig(sp)
				cfg.Auth = a
				_, _, err := runClient(t, cfg)
				return err
			}
			creds := func(user, pwd string) *ClientAuth {
				return &ClientAuth{User: user, Password: pwd, Key: &f.key.PublicKey, Padding: pad}
			}
			skewed := func(d time.Duration) *ClientAuth {
				a := creds("alice", "secret")
				a.now = func() time.Time { return time.Now().Add(d) }
				return a
			}
			for _, sp := range []Spec{{}, {Proto: UDP, Length: 1400, Bitrate: 10e6}} {
				if err := run(creds("alice", "secret"), sp); err != nil {
					t.Errorf("%v with the right credentials: %v", sp.Proto, err)
				}
			}
			if err := run(skewed(auth.DefaultSkew-2*time.Second), Spec{}); err != nil {
				t.Errorf("a clock 8 s ahead, inside the 10 s window: %v", err)
			}
			refusals := []struct {
				name string
				a    *ClientAuth
				log  string
			}{
				{"wrong password", creds("alice", "wrong"), `user "alice": wrong password`},
				{"unknown user", creds("mallory", "secret"), `user "mallory": unknown user`},
				{"no token", nil, "no authentication token"},
				{"clock 12 s behind", skewed(-auth.DefaultSkew - 2*time.Second), "outside the window"},
				{"clock 12 s ahead", skewed(auth.DefaultSkew + 2*time.Second), "outside the window"},
			}
			for i, r := range refusals {
				if err := run(r.a, Spec{}); !isAuthRefusal(err) {
					t.Errorf("%s: %v, want test authorization failed", r.name, err)
				}
				waitFor(t, func() bool { return strings.Count(ts.errs.String(), "authentication failed") == i+1 })
				if log := ts.errs.String(); !strings.Contains(log, r.log) {
					t.Errorf("%s: server log lacks %q:\n%s", r.name, r.log, log)
				}
			}
			if log := ts.errs.String(); strings.Contains(log, "secret") || strings.Contains(log, `"wrong"`) {
				t.Errorf("the server logged a password:\n%s", log)
			}
			addUser(t, f.users, "mallory", "secret")
			if err := run(creds("mallory", "secret"), Spec{}); err != nil {
				t.Errorf("a user added to the file while the server ran: %v", err)
			}
			removeUser(t, f.users, "mallory")
		})
	}
}

func addUser(t *testing.T, path, user, pwd string) {
	t.Helper()
	b, _ := os.ReadFile(path)
	if err := os.WriteFile(path, append(b, []byte(user+","+auth.PasswordHash(user, pwd)+"\n")...), 0o600); err != nil {
		t.Fatal(err)
	}
}

func removeUser(t *testing.T, path, user string) {
	t.Helper()
	b, _ := os.ReadFile(path)
	var keep []string
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(l, user+",") {
			keep = append(keep, l)
		}
	}
	if err := os.WriteFile(path, []byte(strings.Join(keep, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
}

// stockAuthClient runs a stock iperf3 client with credentials against
// port, in the time zone tz ("" for the test's), and returns its output
// and exit error.
func stockAuthClient(t *testing.T, bin string, port int, f *authFiles, user, pwd, tz string, extra ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	args := append([]string{"-c", "127.0.0.1", "-p", strconv.Itoa(port), "-t", "1", "--username", user, "--rsa-public-key-path", f.pub}, extra...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "IPERF3_PASSWORD="+pwd)
	if tz != "" {
		cmd.Env = append(cmd.Env, "TZ="+tz)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// stockPeer is an iperf3 binary and one padding it can use, with the
// flags that choose it.
type stockPeer struct {
	name, bin string
	pad       auth.Padding
	flags     []string
	old       bool // before 3.17: its server refuses with "test authorization failed"
}

// stockPeers are the system's iperf3 and, when IPERF3_EXTRA names one,
// another build (make compare's variable), in each padding each knows as
// a server (client false) or a client: before 3.17 only PKCS #1 v1.5,
// with no flag; after, OAEP by default and, for a server only (3.21
// refuses it on a client as "server only"), PKCS #1 v1.5 with
// --use-pkcs1-padding.
func stockPeers(t *testing.T, client bool) []stockPeer {
	bins := []string{iperf3(t)}
	if extra := os.Getenv("IPERF3_EXTRA"); extra != "" {
		bins = append(bins, extra)
	}
	var peers []stockPeer
	for _, bin := range bins {
		out, _ := exec.Command(bin, "--help").CombinedOutput()
		if !bytes.Contains(out, []byte("--rsa-public-key-path")) {
			continue
		}
		if !bytes.Contains(out, []byte("--use-pkcs1-padding")) {
			peers = append(peers, stockPeer{bin + " pkcs1", bin, auth.PKCS1v15, nil, true})
			continue
		}
		peers = append(peers, stockPeer{bin + " oaep", bin, auth.OAEP, nil, false})
		if !client {
			peers = append(peers, stockPeer{bin + " pkcs1", bin, auth.PKCS1v15, []string{"--use-pkcs1-padding"}, false})
		}
	}
	if len(peers) == 0 {
		t.Skip("no iperf3 here has authentication")
	}
	return peers
}

// TestAuthIperf3ClientGoperfServer: a stock iperf3 client with the right
// credentials tests against an authenticating goperf server, TCP and UDP,
// from another time zone too (iperf3's mktime(localtime()) is Unix time
// either way); a wrong password and an unknown user are refused with the
// line stock iperf3 prints for its own server.
func TestAuthIperf3ClientGoperfServer(t *testing.T) {
	f := newAuthFiles(t)
	for _, peer := range stockPeers(t, true) {
		t.Run(peer.name, func(t *testing.T) { stockClientCases(t, peer, f) })
	}
}

func stockClientCases(t *testing.T, peer stockPeer, f *authFiles) {
	bin, flags := peer.bin, peer.flags
	ts := startServer(t, ServerConfig{Auth: &auth.Verifier{Key: f.key, Users: f.users, Padding: peer.pad}}, JSON)
	for _, tt := range []struct {
		name, user, pwd, tz string
		extra               []string
		ok                  bool
	}{
		{"tcp", "alice", "secret", "", nil, true},
		{"udp", "alice", "secret", "", []string{"-u", "-b", "10M"}, true},
		{"another time zone", "alice", "secret", "America/New_York", nil, true},
		{"wrong password", "alice", "wrong", "", nil, false},
		{"unknown user", "bob", "secret", "", nil, false},
	} {
		out, err := stockAuthClient(t, bin, ts.port, f, tt.user, tt.pwd, tt.tz, append(flags, tt.extra...)...)
		switch {
		case tt.ok && err != nil:
			t.Errorf("%s: %v\n%s", tt.name, err, out)
		case !tt.ok && (err == nil || !strings.Contains(out, "test authorization failed")):
			t.Errorf("%s: %v\n%s", tt.name, err, out)
		}
	}
}

// TestAuthGoperfClientIperf3Server: a goperf client authenticates to a
// stock iperf3 server, TCP and UDP, and a wrong password is refused.
func TestAuthGoperfClientIperf3Server(t *testing.T) {
	f := newAuthFiles(t)
	for _, peer := range stockPeers(t, false) {
		t.Run(peer.name, func(t *testing.T) { stockServerCases(t, peer, f) })
	}
}

func stockServerCases(t *testing.T, peer stockPeer, f *authFiles) {
	port := freePort(t)
	var out syncBuffer
	args := append([]string{"-s", "--forceflush", "-B", "127.0.0.1", "-p", strconv.Itoa(port), "--rsa-private-key-path", f.priv, "--authorized-users-path", f.users}, peer.flags...)
	cmd := exec.Command(peer.bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	// iperf3 serves one test at a time and says when it listens for the
	// next: "Server listening on P (test #n)".
	listening := func(n int) {
		t.Helper()
		waitFor(t, func() bool { return strings.Contains(out.String(), "(test #"+strconv.Itoa(n)+")") })
	}
	creds := func(pwd string) *ClientAuth {
		return &ClientAuth{User: "alice", Password: pwd, Key: &f.key.PublicKey, Padding: peer.pad}
	}
	for i, sp := range []Spec{{Streams: 1, Length: DefaultTCPLength}, {Streams: 1, Proto: UDP, Length: 1400, Bitrate: 10e6}} {
		listening(i + 1)
		sp.Duration = time.Second
		cfg := ClientConfig{Spec: sp, Host: "127.0.0.1", Port: port, IO: testIO, Auth: creds("secret")}
		if _, _, err := runClient(t, cfg); err != nil {
			t.Errorf("%v: %v\n%s", sp.Proto, err, out.String())
		}
	}
	listening(3)
	// iperf3 3.12 refuses with "test authorization failed"; 3.21 closes
	// the control connection without a word, or after whatever error its
	// last test left (seen: "unable to read from stream socket").
	cfg := ClientConfig{Spec: Spec{Streams: 1, Length: DefaultTCPLength, Duration: time.Second}, Host: "127.0.0.1", Port: port, IO: testIO, Auth: creds("wrong")}
	_, _, err := runClient(t, cfg)
	t.Logf("a wrong password: %v", err)
	if err == nil || (peer.old && !isAuthRefusal(err)) {
		t.Errorf("a wrong password against iperf3: %v", err)
	}
}
