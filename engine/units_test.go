package engine

import "testing"

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

// TestRateFormat: -f's fixed units, as iperf3's unit_snprintf prints them.
func TestRateFormat(t *testing.T) {
	for _, tt := range []struct {
		bps  float64
		unit byte
		want string
	}{
		{10.7e9, 'm', "10700 Mbits/sec"},
		{10.7e9, 'g', "10.7 Gbits/sec"},
		{5.24e6, 'k', "5240 Kbits/sec"},
		{999.6e6, 'g', "1.00 Gbits/sec"},
		{8 * 1048576 * 50, 'M', "50.0 MBytes/sec"},
		{8 * 1024, 'K', "1.00 KBytes/sec"},
		{10.7e9, 't', "0.01 Tbits/sec"},
		{10.7e9, 0, "10.7 Gbits/sec"},
	} {
		if got := formatRate(tt.bps, tt.unit); got != tt.want {
			t.Errorf("formatRate(%v, %q) = %q, want %q", tt.bps, tt.unit, got, tt.want)
		}
	}
}
