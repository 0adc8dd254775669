package cmdline

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// Interruptible runs a command with a context that SIGINT or SIGTERM
// cancels (the command then ends its test as iperf3 does) and returns the
// command's exit status for main to exit with.
func Interruptible(command func(ctx context.Context) int) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return command(ctx)
}
