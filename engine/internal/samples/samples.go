package samples

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the folder of captured iperf3 messages, found by walking up
// from the test's working directory to the module root.
func Dir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "testdata", "iperf3")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// Files returns the captured files matching pattern, such as
// "params_*.json", and fails the test when there are none.
func Files(tb testing.TB, pattern string) []string {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(Dir(tb), pattern))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no samples %s: %v", pattern, err)
	}
	return files
}

// Read returns the content of the captured file name (a base name, or a
// path from Files).
func Read(tb testing.TB, name string) []byte {
	tb.Helper()
	if !filepath.IsAbs(name) {
		name = filepath.Join(Dir(tb), filepath.Base(name))
	}
	b, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
