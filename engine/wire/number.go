package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Int is an integer field as iperf3 writes it. It decodes a plain integer,
// an unsigned 64-bit value (iperf3 3.12 and 3.13 print -1 as
// 18446744073709551615; values of 2^63 and above are read as two's
// complement) and a number with a fraction or exponent (truncated toward
// zero). A JSON null leaves it unchanged; any other JSON type is an error.
type Int int64

// UnmarshalJSON implements json.Unmarshaler.
func (n *Int) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	v, err := parseInt(string(b))
	if err != nil {
		return err
	}
	*n = Int(v)
	return nil
}

// parseInt applies Int's rules to the text of one JSON value.
func parseInt(s string) (int64, error) {
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v, nil
	}
	if v, err := strconv.ParseUint(s, 10, 64); err == nil {
		return int64(v), nil // two's complement: 2^64-1 is -1
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || !json.Valid([]byte(s)) {
		return 0, fmt.Errorf("want an integer, got %.40s", s)
	}
	if math.IsNaN(f) || f >= math.MaxInt64 || f <= math.MinInt64 {
		return 0, fmt.Errorf("integer out of range: %.40s", s)
	}
	return int64(f), nil
}

// Flag is a boolean parameter that goperf writes as true and omits when
// false, because stock servers test these keys for presence only
// ("reverse": false makes iperf3 run a reverse test).
//
// Decoding reads the value, not the presence: true and non-zero numbers are
// true, false, 0 and null are false. That honours what a sender meant; no
// stock client ever writes false.
type Flag bool

// UnmarshalJSON implements json.Unmarshaler.
func (f *Flag) UnmarshalJSON(b []byte) error {
	v, err := parseFlag(b)
	*f = Flag(v)
	return err
}

// IntFlag is a Flag that stock iperf3 writes as the number 1
// (get_server_output, udp_counters_64bit and similar). It encodes as 1 and
// decodes like Flag.
type IntFlag bool

// UnmarshalJSON implements json.Unmarshaler.
func (f *IntFlag) UnmarshalJSON(b []byte) error {
	v, err := parseFlag(b)
	*f = IntFlag(v)
	return err
}

// MarshalJSON implements json.Marshaler. Fields of this type carry
// omitempty, so false never reaches the wire.
func (f IntFlag) MarshalJSON() ([]byte, error) {
	if f {
		return []byte("1"), nil
	}
	return []byte("0"), nil
}

// parseFlag applies Flag's rules to the text of one JSON value.
func parseFlag(b []byte) (bool, error) {
	switch s := string(bytes.TrimSpace(b)); s {
	case "true":
		return true, nil
	case "false", "null":
		return false, nil
	default:
		v, err := parseInt(s)
		if err != nil {
			return false, fmt.Errorf("want a boolean, got %.40s", s)
		}
		return v != 0, nil
	}
}
