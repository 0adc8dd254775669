package version

import (
	"os"
	"runtime"
	"strings"
)

// System describes the host as uname -a does ("Linux host 6.18.44 #1 SMP
// ... x86_64"), for the reports that name it as iperf3's do.
func System() string {
	parts := []string{}
	for _, f := range []string{"ostype", "hostname", "osrelease", "version"} {
		b, err := os.ReadFile("/proc/sys/kernel/" + f)
		if err != nil {
			return runtime.GOOS + " " + runtime.GOARCH
		}
		parts = append(parts, strings.TrimSpace(string(b)))
	}
	arch := runtime.GOARCH
	if b, err := os.ReadFile("/proc/sys/kernel/arch"); err == nil { // uname -m's name (x86_64), Linux 6.1+
		arch = strings.TrimSpace(string(b))
	}
	return strings.Join(append(parts, arch), " ")
}
