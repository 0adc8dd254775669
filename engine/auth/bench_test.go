package auth

import (
	"testing"
	"time"
)

// BenchmarkVerify is what authentication costs a server per test: one
// RSA-2048 decryption of the client's token, the users file read and one
// hash compared. It runs once per test, before any data moves, so a
// test's throughput does not see it.
func BenchmarkVerify(b *testing.B) {
	k := testKey()
	users := writeFile(b, "users.csv", "alice,"+PasswordHash("alice", "secret")+"\n")
	now := time.Unix(1764600000, 0)
	for _, pad := range []Padding{OAEP, PKCS1v15} {
		v := &Verifier{Key: k, Users: users, Padding: pad}
		tok, err := NewToken(Credentials{User: "alice", Password: "secret", Time: now}, &k.PublicKey, pad)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(map[Padding]string{OAEP: "oaep", PKCS1v15: "pkcs1"}[pad], func(b *testing.B) {
			for b.Loop() {
				if _, err := v.Verify(tok, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
