package engine

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLayout enforces design.md's dependency arrows, cmd -> engine ->
// sockopt -> x/sys, goecho -> engine/echo -> the shared leaves (never the
// iperf engine), and where each third-party module may be used; and that
// every package has a doc.go or, for commands, a package comment.
func TestLayout(t *testing.T) {
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	const mod = "github.com/goperf/goperf"
	// Which of the module's packages may import each restricted path.
	allowed := map[string]func(pkg string) bool{
		"golang.org/x/sys/unix":           func(p string) bool { return p == mod+"/sockopt" },
		"github.com/alecthomas/kong":      func(p string) bool { return strings.HasPrefix(p, mod+"/cmd/") },
		"golang.org/x/term":               func(p string) bool { return strings.HasPrefix(p, mod+"/cmd/") },
		"github.com/google/pprof/profile": func(p string) bool { return strings.HasPrefix(p, mod+"/bench") },
		"github.com/montanaflynn/stats":   func(p string) bool { return strings.HasPrefix(p, mod+"/engine") || strings.HasPrefix(p, mod+"/bench") },
		// Prometheus's library stays in the metrics package: the engine
		// keeps its account (Server.Stats) without it.
		"github.com/prometheus/client_golang/prometheus":            func(p string) bool { return p == mod+"/engine/metrics" },
		"github.com/prometheus/client_golang/prometheus/promhttp":   func(p string) bool { return p == mod+"/engine/metrics" },
		"github.com/prometheus/client_golang/prometheus/collectors": func(p string) bool { return p == mod+"/engine/metrics" },
		mod + "/cmd/goperf": func(string) bool { return false },
		mod + "/cmd/goecho": func(string) bool { return false },
		mod + "/bench":      func(p string) bool { return strings.HasPrefix(p, mod+"/bench/") },
		mod + "/engine": func(p string) bool {
			return !strings.HasPrefix(p, mod+"/sockopt") && p != mod+"/engine/auth" &&
				!strings.HasPrefix(p, mod+"/engine/echo") && p != mod+"/cmd/goecho"
		},
		mod + "/engine/wire": func(p string) bool { return !strings.HasPrefix(p, mod+"/sockopt") },
	}
	// The leaves both tools share: goecho and its engine import these,
	// never the iperf engine.
	leaves := map[string]bool{
		mod + "/engine/output":    true,
		mod + "/engine/transport": true,
		mod + "/engine/units":     true,
		mod + "/engine/version":   true,
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	n := 0
	for dec.More() {
		var p struct {
			ImportPath, Dir, Name string
			Imports               []string
			GoFiles               []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		n++
		for _, imp := range p.Imports {
			if ok, restricted := allowed[imp]; restricted && !ok(p.ImportPath) {
				t.Errorf("%s imports %s", p.ImportPath, imp)
			}
		}
		if leaves[p.ImportPath] {
			for _, imp := range p.Imports {
				if strings.HasPrefix(imp, mod+"/") {
					t.Errorf("%s imports %s: a leaf imports only the standard library", p.ImportPath, imp)
				}
			}
		}
		if strings.HasPrefix(p.ImportPath, mod+"/sockopt") {
			for _, imp := range p.Imports {
				if strings.HasPrefix(imp, mod+"/") {
					t.Errorf("sockopt imports %s: it must know nothing of goperf", imp)
				}
			}
		}
		if p.Name != "main" {
			if _, err := os.Stat(filepath.Join(p.Dir, "doc.go")); err != nil {
				t.Errorf("%s has no doc.go", p.ImportPath)
			}
		}
	}
	if n < 5 {
		t.Errorf("go list found only %d packages", n)
	}
}
