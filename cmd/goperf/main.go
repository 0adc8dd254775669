// Command goperf measures TCP and UDP throughput over iperf3's wire protocol: it
// tests against a stock iperf3 server, and a stock iperf3 client tests
// against it.
//
//	goperf -s                        # serve on port 5201
//	goperf -c [HOST] -P 4 -b 128K    # four streams, 128 KiB writes
package main

import (
	"context"
	"os"

	"github.com/goperf/goperf/cmd/internal/cmdline"
)

func main() {
	os.Exit(cmdline.Interruptible(func(ctx context.Context) int {
		return run(ctx, argsFor(os.Args[0], os.Args[1:]), os.Stdout, os.Stderr)
	}))
}
