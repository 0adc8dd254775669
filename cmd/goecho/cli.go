package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/alecthomas/kong"

	"github.com/goperf/goperf/engine"
	"github.com/goperf/goperf/engine/echo"
)

// cli is goecho's command line.
type cli struct {
	Server bool   `short:"s" help:"Run an echo server." xor:"mode" required:""`
	Client bool   `short:"c" help:"Run a client against HOST." xor:"mode" required:""`
	Host   string `arg:"" optional:"" help:"Server (client only; default localhost)."`

	Port   int             `short:"p" default:"5001" help:"Port, TCP or UDP."`
	Addr   string          `short:"a" help:"Address to listen on (server) or to dial (client, instead of HOST)."`
	UDP    bool            `short:"u" help:"UDP instead of TCP."`
	Buffer engine.ByteSize `short:"b" default:"8K" help:"Bytes per read and write; a longer stdin line goes in pieces of this size (over UDP one datagram each)."`

	MaxConns int            `name:"max-conns" default:"10000" help:"Server: TCP connections at once; more are told so and closed."`
	Idle     engine.Seconds `name:"idle-timeout" default:"60" help:"Server: close a connection silent this long."`

	Latency   bool            `help:"Measure round trips, closed loop: send, wait for the echo, repeat."`
	Rate      float64         `help:"Measure round trips, open loop: this many messages per second in all, timed from each one's intended send time."`
	Size      engine.ByteSize `short:"m" default:"64" help:"Bytes per measuring message (at least 16)."`
	Time      engine.Seconds  `short:"t" default:"10" help:"Seconds to measure, after the warm-up."`
	Count     uint64          `short:"n" help:"Messages to measure instead of a duration."`
	Parallel  int             `short:"P" default:"1" help:"Connections."`
	Warmup    engine.Seconds  `default:"0.2" help:"Seconds of messages left out of the results at the start."`
	Timeout   engine.Seconds  `default:"1" help:"UDP: an echo later than this counts as lost."`
	JSON      bool            `short:"J" name:"json" help:"Print the measurement as JSON."`
	Histogram string          `help:"Write the round-trip distribution to this file."`

	Version kong.VersionFlag `help:"Print the version and exit."`
}

// run parses args and runs goecho, returning the process's exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var c cli
	status := -1
	parser, err := kong.New(&c,
		kong.Name("goecho"),
		kong.Description("TCP and UDP echo server and client, and a round-trip latency meter."),
		kong.Vars{"version": "goecho " + engine.Version},
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { status = code }),
	)
	if err != nil {
		fmt.Fprintf(stderr, "goecho: error: %v\n", err)
		return 2
	}
	if _, err := parser.Parse(args); err != nil {
		if status >= 0 {
			return status
		}
		fmt.Fprintf(stderr, "goecho: error: %v\n", err)
		return 2
	}
	if status >= 0 {
		return status
	}
	if err := c.run(ctx, stdin, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "goecho: error: %v\n", err)
		return 1
	}
	return 0
}

// Validate checks what kong's tags cannot.
func (c *cli) Validate() error {
	switch {
	case c.Server && c.Host != "":
		return errors.New("a server takes no HOST (use -a to choose the address to listen on)")
	case c.Buffer < 1 || (c.UDP && c.Buffer > echo.MaxDatagram):
		return fmt.Errorf("buffer must be 1 to %d bytes over UDP, at least 1 over TCP", echo.MaxDatagram)
	case c.Latency && c.Rate > 0:
		return errors.New("--latency (closed loop) and --rate (open loop) exclude each other")
	case c.Rate < 0:
		return errors.New("--rate must be positive")
	case c.Parallel < 1 || c.Parallel > 100000:
		return fmt.Errorf("-P must be 1 to 100000, got %d", c.Parallel)
	case c.Size < echo.MinMessage || (c.UDP && c.Size > echo.MaxDatagram):
		return fmt.Errorf("-m must be %d to %d bytes", echo.MinMessage, echo.MaxDatagram)
	case c.MaxConns < 1:
		return errors.New("--max-conns must be at least 1")
	}
	return nil
}

func (c *cli) run(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer) error {
	if c.Server {
		return c.serve(ctx, stdout, stderr)
	}
	cfg := echo.ClientConfig{
		Host: c.Host, Port: c.Port, UDP: c.UDP, Buffer: int(c.Buffer),
		Rate: c.Rate, Size: int(c.Size), Duration: time.Duration(c.Time), Count: c.Count,
		Conns: c.Parallel, Warmup: time.Duration(c.Warmup), Timeout: time.Duration(c.Timeout),
	}
	if cfg.Host == "" {
		cfg.Host = c.Addr
	}
	if c.Latency || c.Rate > 0 {
		return c.measure(ctx, cfg, stdout)
	}
	conn, err := echo.Dial(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer conn.Close()
	return echo.EchoLines(ctx, conn, cfg, stdin, stdout)
}

func (c *cli) serve(ctx context.Context, stdout, stderr io.Writer) error {
	srv := echo.NewServer(echo.ServerConfig{
		Bind: c.Addr, Port: c.Port, UDP: c.UDP, Buffer: int(c.Buffer),
		MaxConns: c.MaxConns, IdleTimeout: time.Duration(c.Idle),
	}, stdout, func(format string, args ...any) {
		fmt.Fprintf(stderr, "goecho: "+format+"\n", args...)
	})
	if err := srv.Listen(ctx); err != nil {
		return err
	}
	return srv.Serve(ctx)
}

// measure runs a measuring client and prints its result.
func (c *cli) measure(ctx context.Context, cfg echo.ClientConfig, stdout io.Writer) error {
	res, err := echo.Measure(ctx, cfg)
	if res == nil {
		return err
	}
	if c.Histogram != "" {
		if herr := writeFile(c.Histogram, res.WriteHistogram); herr != nil {
			return herr
		}
	}
	werr := res.WriteText
	if c.JSON {
		werr = res.WriteJSON
	}
	if perr := werr(stdout); perr != nil {
		return perr
	}
	if err != nil {
		return err
	}
	if res.Errors > 0 {
		return fmt.Errorf("%d connection(s) failed", res.Errors)
	}
	return nil
}

// writeFile creates name and lets write fill it.
func writeFile(name string, write func(io.Writer) error) error {
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("histogram: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("histogram: %w", err)
	}
	return f.Close()
}
