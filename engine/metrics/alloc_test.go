package metrics

import (
	"runtime"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/goperf/goperf/engine"
)

// The metrics add nothing to the data path: with the collector attached
// and scraped a fixed number of times during each test, a test of ten
// times the blocks makes no more allocations (client and server in this
// process, so both ends' loops are counted). Per-block costs would show
// as (blocks₂ − blocks₁) × cost; the bound allows one allocation per
// thousand blocks for the runtime's own timers and GC work, which grow
// with time, not with blocks.
func TestMetricsAddNoDataPathAllocs(t *testing.T) {
	const small, large, scrapes = 20_000, 200_000, 10
	w := startWatched(t, engine.ServerConfig{}, ServerOptions{})
	// The server's own collector only: the Go runtime's and the process's
	// never touch the data path, and their scrapes vary by hundreds of
	// allocations with what the runtime has to say.
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewServerMetrics(w.srv.Stats, ServerOptions{}))
	mallocs := func(blocks uint64) uint64 {
		cfg := w.client(t, engine.Spec{Proto: engine.TCP, Blocks: blocks, Length: 1024})
		done := make(chan struct{})
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		go func() {
			defer close(done)
			if _, err := run(t, cfg); err != nil {
				t.Errorf("%d blocks: %v", blocks, err)
			}
		}()
		for i := 0; i < scrapes; i++ {
			families(t, reg) // a scrape, while the streams move data
			time.Sleep(time.Millisecond)
		}
		<-done
		runtime.ReadMemStats(&after)
		return after.Mallocs - before.Mallocs
	}
	mallocs(small) // warm up: first-use allocations of the runtime and the server
	a, b := mallocs(small), mallocs(large)
	perBlock := (float64(b) - float64(a)) / (large - small)
	t.Logf("mallocs: %d for %d blocks, %d for %d: %.5f per extra block", a, small, b, large, perBlock)
	if perBlock > 0.001 {
		t.Errorf("%.4f allocations per block with metrics on, want none", perBlock)
	}
}
