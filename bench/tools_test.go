package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// goperfBinary builds goperf once for the benchmarks, unless GOPERF_BIN
// names one already built (bench/report builds it once for all its runs).
var goperfBinary = sync.OnceValues(func() (string, error) {
	if bin := os.Getenv("GOPERF_BIN"); bin != "" {
		return bin, nil
	}
	dir, err := os.MkdirTemp("", "goperf-bench")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "goperf")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/goperf").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// contenders returns goperf and the system's iperf3, skipping when iperf3 is
// missing outside CI.
func contenders(b *testing.B) (goperf, iperf3 Tool) {
	b.Helper()
	bin, err := goperfBinary()
	if err != nil {
		b.Fatal(err)
	}
	path, err := exec.LookPath("iperf3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			b.Fatal("iperf3 is not installed; .ci/run should have installed it")
		}
		b.Skip("iperf3 not installed")
	}
	return Tool{Name: "goperf", Path: bin, BufferFlag: "-b", RateFlag: "--bitrate"},
		Tool{Name: "iperf3", Path: path, BufferFlag: "-l", RateFlag: "-b"}
}
