package units

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ByteSize is a size in bytes. As text it takes binary multiples, as iperf3
// does for sizes: "131072", "128K", "1M", "1.5G" (K = 1024).
type ByteSize uint64

// Bitrate is a rate in bits per second. As text it takes decimal multiples,
// as iperf3 does for rates: "100M" is 100 000 000 bit/s (K = 1000).
type Bitrate uint64

// Seconds is a test duration. As text it takes plain seconds ("10", "2.5")
// or a Go duration ("500ms", "1m30s").
type Seconds time.Duration

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *ByteSize) UnmarshalText(b []byte) error {
	v, err := parseScaled(b, 1024, "size", "131072, 128K, 1M")
	*s = ByteSize(v)
	return err
}

// String formats s with the largest binary suffix that divides it exactly.
func (s ByteSize) String() string {
	return formatScaled(uint64(s), 1024)
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *Bitrate) UnmarshalText(b []byte) error {
	v, err := parseScaled(b, 1000, "rate", "100M, 2.5G, 0 for unlimited")
	*r = Bitrate(v)
	return err
}

// String formats r with the largest decimal suffix that divides it exactly.
func (r Bitrate) String() string {
	return formatScaled(uint64(r), 1000)
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Seconds) UnmarshalText(b []byte) error {
	d, err := parseDuration(b, time.Second, "seconds such as 10 or 2.5, or 500ms")
	*s = Seconds(d)
	return err
}

// Milliseconds is a duration as iperf3 takes --connect-timeout and
// --snd-timeout: plain milliseconds ("3000" is 3 s), or a Go duration
// ("3s").
type Milliseconds time.Duration

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *Milliseconds) UnmarshalText(b []byte) error {
	d, err := parseDuration(b, time.Millisecond, "milliseconds such as 3000, or 3s")
	*m = Milliseconds(d)
	return err
}

// String formats m as a Go duration.
func (m Milliseconds) String() string { return time.Duration(m).String() }

// parseDuration reads a plain number of units, or a Go duration, from 0
// to MaxSeconds; want says what it takes, for the error.
func parseDuration(b []byte, unit time.Duration, want string) (time.Duration, error) {
	text := strings.TrimSpace(string(b))
	limit := MaxSeconds * time.Second
	outOfRange := fmt.Errorf("invalid duration %q: want 0 to %d seconds", b, MaxSeconds)
	if f, err := strconv.ParseFloat(text, 64); err == nil {
		if f < 0 || math.IsNaN(f) || f*float64(unit) > float64(limit) {
			return 0, outOfRange
		}
		return time.Duration(f * float64(unit)), nil
	}
	d, err := time.ParseDuration(text)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("invalid duration %q (want %s)", b, want)
	}
	if d > limit {
		return 0, outOfRange
	}
	return d, nil
}

// String formats s as a Go duration.
func (s Seconds) String() string { return time.Duration(s).String() }

// MaxSeconds caps durations as iperf3 does (one day).
const MaxSeconds = 86400

const suffixes = "KMGT"

// parseScaled reads a non-negative number with an optional K, M, G or T
// suffix (either case), each one unit times larger than the previous. Its
// errors name what was read and show examples.
func parseScaled(b []byte, unit float64, what, examples string) (uint64, error) {
	v, err := scaledValue(string(b), unit)
	if err != nil {
		return 0, fmt.Errorf("invalid %s %q: %w (want e.g. %s)", what, b, err, examples)
	}
	return v, nil
}

// scaledValue does parseScaled's reading.
func scaledValue(text string, unit float64) (uint64, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return 0, fmt.Errorf("empty")
	}
	mult := 1.0
	if i := strings.IndexByte(suffixes, upper(text[len(text)-1])); i >= 0 {
		mult = math.Pow(unit, float64(i+1))
		text = text[:len(text)-1]
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("not a number")
	}
	if f < 0 {
		return 0, fmt.Errorf("negative")
	}
	v := f * mult
	if v >= math.MaxUint64 {
		return 0, fmt.Errorf("too large")
	}
	return uint64(v), nil
}

// formatScaled writes v with the largest suffix that divides it exactly.
func formatScaled(v uint64, unit uint64) string {
	i := -1
	for v != 0 && v%unit == 0 && i < len(suffixes)-1 {
		v /= unit
		i++
	}
	if i < 0 {
		return strconv.FormatUint(v, 10)
	}
	return strconv.FormatUint(v, 10) + suffixes[i:i+1]
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}
