package auth

import (
	"bufio"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Why CheckUser refuses.
var (
	ErrUnknownUser   = errors.New("unknown user")
	ErrWrongPassword = errors.New("wrong password")
)

// PasswordHash is the users file's hash of user's password: the hex of
// SHA-256 of "{user}password".
func PasswordHash(user, password string) string {
	sum := sha256.Sum256([]byte("{" + user + "}" + password))
	return hex.EncodeToString(sum[:])
}

// CheckUser looks user up in the users file at path, "user,hash" lines
// with '#' comments, as iperf3 reads it, and compares the password's hash
// in constant time. The file is read on every call, so that edits take
// effect at the next test.
func CheckUser(path, user, password string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("authorized users: %w", err)
	}
	defer f.Close()
	want := []byte(PasswordHash(user, password))
	found := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		name, hash, ok := strings.Cut(line, ",")
		if !ok || line[0] == '#' || name != user {
			continue
		}
		found = true
		hash, _, _ = strings.Cut(hash, ",") // iperf3's strtok ignores what follows
		if subtle.ConstantTimeCompare([]byte(strings.ToLower(hash)), want) == 1 {
			return nil
		}
	}
	switch {
	case sc.Err() != nil:
		return fmt.Errorf("authorized users: %w", sc.Err())
	case found:
		return ErrWrongPassword
	}
	return ErrUnknownUser
}
