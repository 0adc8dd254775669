// Package version holds the release both tools report (goperf --version,
// goecho --version, the version in goperf's JSON) and the host's
// description beside it (System). It is a leaf: it imports only the
// standard library.
package version
