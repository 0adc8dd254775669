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
