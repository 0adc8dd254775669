package engine

import "github.com/goperf/goperf/engine/units"

// The command line's quantities, from the units leaf that goecho shares.
type (
	// ByteSize is a size in bytes ("128K" is 131072).
	ByteSize = units.ByteSize
	// Bitrate is a rate in bits per second ("100M" is 10^8).
	Bitrate = units.Bitrate
	// Seconds is a test duration ("10", "2.5", "500ms").
	Seconds = units.Seconds
)

// maxSeconds caps durations as iperf3 does (one day).
const maxSeconds = units.MaxSeconds
