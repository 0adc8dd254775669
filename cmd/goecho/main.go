// Command goecho is a TCP and UDP echo server and client, and a latency
// meter: closed-loop ping-pong or open-loop load at a fixed rate, with
// round-trip percentiles.
//
//	goecho -s                              # echo server on port 5001
//	printf 'hello\n' | goecho -c           # echo stdin lines through it
//	goecho -c --latency -t 5 -m 64         # round-trip percentiles
//	goecho -c -u --rate 10000 -t 10 -J     # open loop, UDP, as JSON
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
