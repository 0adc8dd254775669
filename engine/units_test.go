package engine

import (
	"testing"
	"time"
)

func TestByteSize(t *testing.T) {
	tests := []struct {
		in      string
		want    ByteSize
		wantErr bool
	}{
		{"131072", 131072, false},
		{"128K", 128 << 10, false},
		{"128k", 128 << 10, false},
		{"1M", 1 << 20, false},
		{"1.5M", 3 << 19, false},
		{"2G", 2 << 30, false},
		{"0", 0, false},
		{"abc", 0, true},
		{"", 0, true},
		{"-1K", 0, true},
		{"12Q", 0, true},
		{"1e30T", 0, true},
		{"NaN", 0, true},
	}
	for _, tt := range tests {
		var got ByteSize
		err := got.UnmarshalText([]byte(tt.in))
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ByteSize(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	if s := ByteSize(128 << 10).String(); s != "128K" {
		t.Errorf("String = %q", s)
	}
}

func TestBitrate(t *testing.T) {
	tests := []struct {
		in   string
		want Bitrate
	}{
		{"100M", 100e6}, {"1G", 1e9}, {"2.5g", 2.5e9}, {"0", 0}, {"1000", 1000}, {"10k", 10e3},
	}
	for _, tt := range tests {
		var got Bitrate
		if err := got.UnmarshalText([]byte(tt.in)); err != nil || got != tt.want {
			t.Errorf("Bitrate(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	var b Bitrate
	if err := b.UnmarshalText([]byte("fast")); err == nil {
		t.Error("Bitrate(fast) accepted")
	}
}

func TestSeconds(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"10", 10 * time.Second, false},
		{"2.5", 2500 * time.Millisecond, false},
		{"500ms", 500 * time.Millisecond, false},
		{"1m30s", 90 * time.Second, false},
		{"-1", 0, true},
		{"forever", 0, true},
		{"100000", 0, true},
	}
	for _, tt := range tests {
		var got Seconds
		err := got.UnmarshalText([]byte(tt.in))
		if (err != nil) != tt.wantErr || time.Duration(got) != tt.want {
			t.Errorf("Seconds(%q) = %v, %v; want %v, error %v", tt.in, time.Duration(got), err, tt.want, tt.wantErr)
		}
	}
}

// TestHumanUnits checks iperf3's four-place formatting.
func TestHumanUnits(t *testing.T) {
	bytes := map[float64]string{
		0:                 "0.00 Bytes",
		1024:              "1.00 KBytes",
		128 << 10:         " 128 KBytes",
		1.25 * (1 << 30):  "1.25 GBytes",
		99.96 * (1 << 20): " 100 MBytes",
	}
	for in, want := range bytes {
		if got := formatBytes(in); got != want {
			t.Errorf("formatBytes(%v) = %q, want %q", in, got, want)
		}
	}
	bits := map[float64]string{
		10.7e9:  "10.7 Gbits/sec",
		999.6e6: "1000 Mbits/sec", // as iperf3: under 1000 keeps the smaller unit
		5.24e6:  "5.24 Mbits/sec",
		123:     " 123 bits/sec",
	}
	for in, want := range bits {
		if got := formatBits(in); got != want {
			t.Errorf("formatBits(%v) = %q, want %q", in, got, want)
		}
	}
}
