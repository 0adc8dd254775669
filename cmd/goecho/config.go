package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/goperf/goperf/engine/echo"
	"github.com/goperf/goperf/engine/output"
)

func (c *cli) proto() echo.Proto {
	if c.UDP {
		return echo.UDP
	}
	return echo.TCP
}

// serve runs the server until ctx is done.
func (c *cli) serve(ctx context.Context, out output.Output) error {
	srv := echo.NewServer(echo.ServerConfig{
		Proto:       c.proto(),
		Bind:        c.Addr,
		Port:        c.Port,
		Buffer:      int(c.Buffer.ByteSize),
		MaxConns:    c.MaxConns,
		IdleTimeout: time.Duration(c.IdleTO),
		Window:      int(c.Window),
		Spin:        c.Spin.window(),
	}, out)
	if err := srv.Listen(ctx); err != nil {
		return err
	}
	return srv.Serve(ctx)
}

// clientConfig maps the flags to the client's configuration.
func (c *cli) clientConfig() echo.ClientConfig {
	host := c.Host
	if host == "" {
		host = c.Addr
	}
	return echo.ClientConfig{
		Proto:        c.proto(),
		Host:         host,
		Port:         c.Port,
		Buffer:       int(c.Buffer.ByteSize),
		LostTimeout:  time.Duration(c.Timeout),
		StallTimeout: time.Duration(c.IdleTO),
		Window:       int(c.Window),
	}
}

// measure runs a latency measurement and writes --histogram.
func (c *cli) measure(ctx context.Context, out output.Output) error {
	m := echo.MeasureConfig{
		Size:     c.Size,
		Duration: time.Duration(c.Time),
		Count:    c.Count,
		Conns:    c.Parallel,
		Warmup:   time.Duration(c.Warmup),
		Rate:     c.Rate,
		Spin:     c.Spin.window(),
	}
	sum, err := echo.Measure(ctx, c.clientConfig(), m, out)
	if sum != nil && c.Histogram != "" {
		if herr := writeHistogram(c.Histogram, sum.Histogram); herr != nil && err == nil {
			err = herr
		}
	}
	return err
}

// writeHistogram writes h's distribution to the file at path.
func writeHistogram(path string, h *echo.Histogram) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("histogram: %w", err)
	}
	if _, err := h.WriteTo(f); err != nil {
		_ = f.Close()
		return fmt.Errorf("histogram %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("histogram %s: %w", path, err)
	}
	return nil
}
