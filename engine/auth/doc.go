// Package auth is iperf3's authentication, both ways: the client's token
// and the server's check of it.
//
// A client encrypts its user name, its password and the time with the
// server's RSA public key and sends the result, base64, as the
// "authtoken" parameter; the server decrypts it with its private key,
// refuses a time too far from its own, and looks the user up in a file of
// "user,sha256hex" lines, where the hash is of "{user}password". Keys are
// PEM files as openssl writes them (genrsa, rsa -pubout). The padding is
// OAEP with SHA-1, as iperf3 3.17 and later use, or PKCS #1 v1.5 for
// older peers (Debian's 3.12), which both ends must be told.
//
// It protects who may start a test, not the test: the data streams are
// not encrypted, and nothing stops a replay of a token within the time
// window by someone who saw it.
//
// It imports only the standard library.
package auth
