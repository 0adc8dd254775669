package enginetest

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestBurst: a stream exactly at the rate has the depth of one packet;
// packets back to back add up, less what the rate drains meanwhile.
func TestBurst(t *testing.T) {
	const rate = 1000.0 // bytes per second: 100 bytes every 100 ms
	even := []Arrival{{0, 100}, {100 * time.Millisecond, 100}, {200 * time.Millisecond, 100}}
	if got := Burst(even, rate); got != 100 {
		t.Errorf("even stream: depth %v, want 100", got)
	}
	bunched := []Arrival{{0, 100}, {time.Second, 100}, {time.Second, 100}, {time.Second + 50*time.Millisecond, 100}}
	if got := Burst(bunched, rate); got != 250 {
		t.Errorf("three packets within 50 ms: depth %v, want 300 - 50", got)
	}
}

// TestReadPcap reads a file written as tcpdump writes one, with
// nanosecond times.
func TestReadPcap(t *testing.T) {
	le := binary.LittleEndian
	hdr := make([]byte, 24)
	le.PutUint32(hdr, 0xa1b23c4d)
	var file []byte
	file = append(file, hdr...)
	for i, wire := range []uint32{1490, 2938} {
		rec := make([]byte, 16)
		le.PutUint32(rec[0:], 7)
		le.PutUint32(rec[4:], uint32(1000*i))
		le.PutUint32(rec[8:], 64)
		le.PutUint32(rec[12:], wire)
		file = append(append(file, rec...), make([]byte, 64)...)
	}
	path := filepath.Join(t.TempDir(), "x.pcap")
	if err := os.WriteFile(path, file, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReadPcap(path, 42)
	if err != nil {
		t.Fatal(err)
	}
	want := []Arrival{{0, 1448}, {time.Microsecond, 2896}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("read %v, want %v", got, want)
	}
	if _, err := ReadPcap(filepath.Join(t.TempDir(), "none"), 0); err == nil {
		t.Error("a missing file read without an error")
	}
}
