package enginetest

import (
	"os"
	"os/exec"
	"testing"
)

// Need returns the path of a program a test needs. Without it the test
// is skipped, except in CI (CI=true), whose .ci/run installs it: there a
// missing program fails the test rather than hide it.
func Need(tb testing.TB, prog string) string {
	tb.Helper()
	p, err := exec.LookPath(prog)
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s is not installed; .ci/run installs it", prog)
	}
	tb.Skipf("%s is not installed", prog)
	return ""
}
