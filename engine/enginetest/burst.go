package enginetest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Arrival is one packet seen at a time: what a capture records.
type Arrival struct {
	At    time.Duration // from any fixed origin, in order
	Bytes int
}

// Burst returns the smallest depth, in bytes, of a token bucket filled at
// rate bytes per second that the arrivals conform to: the most that a
// queue served at rate would ever hold. Each arrival is counted whole at
// its time, as a store-and-forward queue takes a packet. The arrivals
// must be in time order.
func Burst(arrivals []Arrival, rate float64) float64 {
	// With C(t) the bytes arrived up to and including t, the depth is
	// the largest C(tj) - C(ti-) - rate*(tj - ti) over i <= j.
	depth, lowest, total := 0.0, 0.0, 0.0
	for i, a := range arrivals {
		at := a.At.Seconds() * rate
		if before := total - at; i == 0 || before < lowest {
			lowest = before
		}
		total += float64(a.Bytes)
		depth = max(depth, total-at-lowest)
	}
	return depth
}

// ReadPcap returns the packets of a classic pcap file (tcpdump -w, with
// microsecond or nanosecond timestamps), their times from the first, and
// their lengths on the wire less skip bytes of headers each.
func ReadPcap(path string, skip int) ([]Arrival, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var hdr [24]byte
	if _, err := io.ReadFull(f, hdr[:]); err != nil {
		return nil, fmt.Errorf("%s: pcap header: %w", path, err)
	}
	order, unit, err := pcapFormat(binary.LittleEndian.Uint32(hdr[:4]))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []Arrival
	var first time.Duration
	var rec [16]byte
	for {
		if _, err := io.ReadFull(f, rec[:]); errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("%s: record: %w", path, err)
		}
		at := time.Duration(order.Uint32(rec[0:]))*time.Second + time.Duration(order.Uint32(rec[4:]))*unit
		caplen, wire := order.Uint32(rec[8:]), int(order.Uint32(rec[12:]))
		if _, err := f.Seek(int64(caplen), io.SeekCurrent); err != nil {
			return nil, err
		}
		if len(out) == 0 {
			first = at
		}
		out = append(out, Arrival{At: at - first, Bytes: wire - skip})
	}
}

// pcapFormat reads a pcap file's magic number, read little-endian.
func pcapFormat(magic uint32) (binary.ByteOrder, time.Duration, error) {
	switch magic {
	case 0xa1b2c3d4:
		return binary.LittleEndian, time.Microsecond, nil
	case 0xa1b23c4d:
		return binary.LittleEndian, time.Nanosecond, nil
	case 0xd4c3b2a1:
		return binary.BigEndian, time.Microsecond, nil
	case 0x4d3cb2a1:
		return binary.BigEndian, time.Nanosecond, nil
	}
	return nil, 0, fmt.Errorf("not a pcap file (magic %#x)", magic)
}
