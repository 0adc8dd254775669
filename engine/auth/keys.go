package auth

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// LoadPublicKey reads an RSA public key from a PEM file: "PUBLIC KEY"
// (openssl rsa -pubout) or "RSA PUBLIC KEY" (PKCS #1).
func LoadPublicKey(path string) (*rsa.PublicKey, error) {
	return loadRSA[*rsa.PublicKey](path, "a public key (openssl rsa -in key.pem -pubout)", map[string]parser{
		"PUBLIC KEY":     x509.ParsePKIXPublicKey,
		"RSA PUBLIC KEY": func(der []byte) (any, error) { return x509.ParsePKCS1PublicKey(der) },
	})
}

// LoadPrivateKey reads an RSA private key from a PEM file: "PRIVATE KEY"
// (openssl genrsa, OpenSSL 3) or "RSA PRIVATE KEY" (PKCS #1, older
// openssl).
func LoadPrivateKey(path string) (*rsa.PrivateKey, error) {
	return loadRSA[*rsa.PrivateKey](path, "a private key (openssl genrsa -out key.pem 2048)", map[string]parser{
		"PRIVATE KEY":     x509.ParsePKCS8PrivateKey,
		"RSA PRIVATE KEY": func(der []byte) (any, error) { return x509.ParsePKCS1PrivateKey(der) },
	})
}

// parser decodes a PEM block's DER.
type parser func(der []byte) (any, error)

// loadRSA reads the first PEM block of path with the parser for its type
// and returns the key if it is a K; want says what a wrong file should
// have been.
func loadRSA[K any](path, want string, parsers map[string]parser) (K, error) {
	var zero K
	b, err := os.ReadFile(path)
	if err != nil {
		return zero, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return zero, fmt.Errorf("%s: %w, want %s", path, errNoPEM, want)
	}
	parse, ok := parsers[block.Type]
	if !ok {
		return zero, fmt.Errorf("%s: a %q block, want %s", path, block.Type, want)
	}
	k, err := parse(block.Bytes)
	if err != nil {
		return zero, fmt.Errorf("%s: %w", path, err)
	}
	rk, ok := k.(K)
	if !ok {
		return zero, fmt.Errorf("%s: not an RSA key", path)
	}
	return rk, nil
}

var errNoPEM = errors.New("no PEM block")
