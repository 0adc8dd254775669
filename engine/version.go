package engine

import (
	"os"
	"runtime"
	"strings"

	"github.com/goperf/goperf/engine/version"
)

// Version is goperf's version.
const Version = version.Number

// versionString is the version as reports show it.
func versionString() string {
	return "goperf " + Version
}

// systemInfo describes the host like uname -a, for JSON reports.
func systemInfo() string {
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
