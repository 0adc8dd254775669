package bench

import (
	"os"
	"testing"

	"github.com/goperf/goperf/engine/enginetest"
)

// goperfBinary builds goperf once for the benchmarks, unless GOPERF_BIN
// names one already built (bench/report builds it once for all its runs).
func goperfBinary() (string, error) {
	if bin := os.Getenv("GOPERF_BIN"); bin != "" {
		return bin, nil
	}
	return buildGoperf()
}

var buildGoperf = enginetest.BuildOnce("../cmd/goperf", "goperf")

// contenders returns goperf and the system's iperf3, skipping when iperf3 is
// missing outside CI.
func contenders(b *testing.B) (goperf, iperf3 Tool) {
	b.Helper()
	bin, err := goperfBinary()
	if err != nil {
		b.Fatal(err)
	}
	path := enginetest.Need(b, "iperf3")
	return Tool{Name: "goperf", Path: bin, BufferFlag: "-b", RateFlag: "--bitrate"},
		Tool{Name: "iperf3", Path: path, BufferFlag: "-l", RateFlag: "-b"}
}
