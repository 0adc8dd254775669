package units

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

func TestBufferSize(t *testing.T) {
	for in, want := range map[string]ByteSize{"1": 1, "16K": 16 << 10, "1G": 1 << 30} {
		var b BufferSize
		if err := b.UnmarshalText([]byte(in)); err != nil || b.ByteSize != want {
			t.Errorf("%q: got %v, %v; want %v", in, b.ByteSize, err, want)
		}
	}
	for _, in := range []string{"0", "1025M", "-1", "x"} {
		var b BufferSize
		if err := b.UnmarshalText([]byte(in)); err == nil {
			t.Errorf("%q: accepted as %v", in, b.ByteSize)
		}
	}
}
