// Package version holds the release both tools report (goperf --version,
// goecho --version, the version in goperf's JSON). It is a leaf: it imports
// nothing.
package version
