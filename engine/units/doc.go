// Package units holds the quantities both tools read from their command
// lines and write in their reports: sizes in bytes with binary multiples
// (ByteSize), rates in bits per second with decimal multiples (Bitrate),
// and durations in seconds or Go's notation (Seconds), as iperf3 spells
// them.
//
// It is a leaf: it imports only the standard library, so that goecho's
// engine and goperf's can share it without importing each other.
package units
