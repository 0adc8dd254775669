package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/alecthomas/kong"

	"github.com/goperf/goperf/cmd/internal/cmdline"
	"github.com/goperf/goperf/engine/echo"
	"github.com/goperf/goperf/engine/output"
	"github.com/goperf/goperf/engine/units"
	"github.com/goperf/goperf/engine/version"
)

// cli is goecho's command line: the seed's flags, and the measuring ones.
type cli struct {
	Server bool   `short:"s" help:"Run an echo server." xor:"mode"`
	Client bool   `short:"c" help:"Run a client against HOST." xor:"mode"`
	Host   string `arg:"" optional:"" help:"Server to dial (client only; default localhost)."`

	Port    int              `short:"p" default:"5001" help:"Server port."`
	Addr    string           `short:"a" help:"Address to listen on (server) or to dial (client, instead of HOST)."`
	UDP     bool             `short:"u" help:"UDP instead of TCP."`
	Buffer  units.BufferSize `short:"b" default:"16K" help:"Buffer size: the server's reads, the client's pieces of a long line (over UDP, its datagrams), e.g. 16384, 16K."`
	Window  units.ByteSize   `short:"w" help:"Socket buffer size (SO_SNDBUF and SO_RCVBUF), e.g. 4M; default the kernel's."`
	Verbose bool             `short:"V" help:"More detail: every connection the server accepts and closes."`
	Spin    spinWindow       `default:"50us" help:"Busy-poll the socket this long before sleeping (Linux, fewer connections than CPUs): the client for each echo in a closed loop, the server for each read; 0 to never."`

	measureFlags
	serverFlags

	Version kong.VersionFlag `short:"v" help:"Print the version and exit."`
}

// measureFlags select and shape the measuring mode (client only).
type measureFlags struct {
	Latency   bool          `help:"Measure round trips, closed loop: each message leaves when the previous echo is back."`
	Rate      float64       `help:"Measure round trips, open loop, at this many messages per second over all connections, from each message's intended send time."`
	Size      int           `short:"m" name:"size" default:"64" help:"Bytes per message (16 or more: a sequence number and a timestamp)."`
	Time      units.Seconds `short:"t" default:"10" help:"Measured time: seconds (10, 2.5) or a duration (500ms)."`
	Count     uint64        `short:"n" help:"Measured messages in total instead of a time."`
	Parallel  int           `short:"P" default:"1" help:"Connections (1 to 10000)."`
	Warmup    units.Seconds `default:"0.5" help:"Warm-up before the measured time, left out of the results."`
	JSON      bool          `short:"J" name:"json" help:"Print the results as JSON."`
	Histogram string        `type:"path" help:"Write the round trips' distribution to this file (HdrHistogram's percentile format)."`
	Timeout   units.Seconds `default:"1" help:"UDP: a message not echoed within this counts as lost."`
}

// serverFlags are the server's limits; --idle-timeout is the client's too.
type serverFlags struct {
	MaxConns int           `name:"max-conns" default:"10000" help:"TCP connections served at once; the next gets 'goecho: server busy' and is closed."`
	IdleTO   units.Seconds `name:"idle-timeout" help:"Server: close a TCP connection idle this long (default 60s). Client: fail a TCP connection whose echo is this late (default 10s)."`
}

// spinWindow is the busy-poll window, a duration; 0 turns polling off.
type spinWindow struct {
	units.Seconds
}

// window returns the engine's value: negative for none.
func (s spinWindow) window() time.Duration {
	if s.Seconds == 0 {
		return -1
	}
	return time.Duration(s.Seconds)
}

// run parses args and runs goecho, returning the process's exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var c cli
	status, done, err := cmdline.Parse(&c, cmdline.Command{
		Name: "goecho",
		Description: "Echo server and client over TCP and UDP, and a round-trip latency tool.\n\n" +
			"  goecho -s [flags]           run an echo server\n" +
			"  goecho -c [HOST] [flags]    echo standard input's lines, or measure round trips (--latency, --rate)",
		Version: "goecho " + version.Number,
	}, args, stdout, stderr)
	if done {
		return status // --help or --version
	}
	if err == nil {
		err = c.run(ctx, stdin, stdout, stderr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "goecho: error: %v\n", err)
		return 1
	}
	return 0
}

// Validate checks what kong's tags cannot.
func (c *cli) Validate() error {
	switch {
	case !c.Server && !c.Client:
		return errors.New("choose a mode: -s to run an echo server, or -c [HOST] to run a client (goecho --help lists the flags)")
	case c.Server && c.Host != "":
		return errors.New("a server takes no HOST (use -a to choose the address to listen on)")
	case c.Host != "" && c.Addr != "" && c.Host != c.Addr:
		return fmt.Errorf("HOST %q and -a %q disagree", c.Host, c.Addr)
	case c.Port < 1 || c.Port > 65535:
		return fmt.Errorf("port must be 1 to 65535, got %d", c.Port)
	case c.UDP && c.Buffer.ByteSize > echo.MaxUDPPayload:
		return fmt.Errorf("UDP buffer must be at most %d bytes (one datagram), got %d", echo.MaxUDPPayload, c.Buffer.ByteSize)
	case c.Rate < 0 || math.IsNaN(c.Rate) || math.IsInf(c.Rate, 0):
		return fmt.Errorf("--rate must be a positive number of messages per second, got %v", c.Rate)
	case c.Parallel < 1 || c.Parallel > 10000:
		return fmt.Errorf("connections (-P) must be 1 to 10000, got %d", c.Parallel)
	case c.MaxConns < 1:
		return fmt.Errorf("--max-conns must be 1 or more, got %d", c.MaxConns)
	case c.Server && c.measuring():
		return errors.New("--latency, --rate, -J and --histogram are client flags")
	case c.Client && !c.measuring() && (c.JSON || c.Histogram != ""):
		return errors.New("-J and --histogram need a measuring mode (--latency or --rate)")
	}
	return nil
}

// measuring reports whether a measuring flag was given.
func (c *cli) measuring() bool {
	return c.Latency || c.Rate > 0 || (c.Server && (c.JSON || c.Histogram != ""))
}

// run starts the server or the client.
func (c *cli) run(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer) error {
	out := c.output(stdout, stderr)
	var err error
	switch {
	case c.Server:
		err = c.serve(ctx, out)
	case c.measuring():
		err = c.measure(ctx, out)
	default:
		err = echo.Plain(ctx, c.clientConfig(), stdin, out)
	}
	if errors.Is(err, output.ErrInterrupted) {
		return errors.New("interrupted")
	}
	return err
}

// output builds the engine's output: reports to stdout, diagnostics to
// stderr, one line each.
func (c *cli) output(stdout, stderr io.Writer) output.Output {
	out := output.Output{W: stdout, Verbose: c.Verbose}
	if c.JSON {
		out.Format = output.JSON
	}
	out.Log = output.Logger{Errorf: func(format string, args ...any) {
		fmt.Fprintf(stderr, "goecho: "+format+"\n", args...)
	}}
	if c.Verbose {
		out.Log.Verbosef = out.Log.Errorf
	}
	return out
}
