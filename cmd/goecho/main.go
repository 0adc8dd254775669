// Command goecho is an echo server and client over TCP and UDP, and a
// latency tool: closed-loop ping-pong and fixed-rate open-loop runs with
// round-trip percentiles.
//
//	goecho -s [-u]                               # serve on port 5001
//	printf 'hello\n' | goecho -c [HOST] [-u]     # echo lines
//	goecho -c --latency -t 5 -m 64 [-P 4] [-J]   # ping-pong round trips
//	goecho -c --rate 10000 -t 5                  # open loop, 10000 messages/s
package main

import (
	"context"
	"os"

	"github.com/goperf/goperf/cmd/internal/cmdline"
)

func main() {
	os.Exit(cmdline.Interruptible(func(ctx context.Context) int {
		return run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	}))
}
