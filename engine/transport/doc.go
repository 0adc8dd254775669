// Package transport names the transports both tools run over (Proto: TCP
// or UDP) and classifies the errors a socket returns the same way for
// both: refused (nothing listens), reset (the peer went away), gone (reset
// or closed), and the short forms the tools print.
//
// It is a leaf: it imports only the standard library, so that goecho's
// engine and goperf's share it without importing each other.
package transport
