// Package output says where and how a run of either tool reports: the
// writer and Format of its report (iperf3's text tables, one -J document,
// or --json-stream lines), -V, and the Logger for diagnostics; and
// ErrInterrupted, which a run returns when its context ended it early so
// that a command can print its partial report and exit as iperf3 does.
//
// It is a leaf: it imports only the standard library, so that goecho's
// engine and goperf's share it without importing each other.
package output
