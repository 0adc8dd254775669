package main

import (
	"os"
	"testing"
)

// oncePerRun skips a test in the passes of make test that would only
// repeat it: the I/O-mode passes (GOPERF_IO), for a test whose streams'
// I/O mode is not what it checks (why says what it checks), and the
// portable pass, whose process tests run the same native goperf binary
// (BuildOnce builds it without tags).
func oncePerRun(t *testing.T, why string) {
	t.Helper()
	if m := os.Getenv("GOPERF_IO"); m != "" {
		t.Skipf("runs in the plain pass only: it checks %s, not the I/O mode (GOPERF_IO=%s)", why, m)
	}
	if portableBuild {
		t.Skipf("runs in the plain pass only: it checks %s, and this pass's goperf binary is the plain one", why)
	}
}
