package main

import (
	"fmt"
	"os"
	"time"

	"github.com/goperf/goperf/engine"
)

// clientConfig maps the flags to the engine's client configuration.
func (c *cli) clientConfig() (engine.ClientConfig, error) {
	tos, err := parseTOS(c.TOS, c.DSCP)
	if err != nil {
		return engine.ClientConfig{}, err
	}
	length := c.Buffer.ByteSize
	if length == 0 {
		length = c.Length.ByteSize
	}
	proto := engine.TCP
	switch {
	case c.UDP:
		proto = engine.UDP // a zero length means the control connection's MSS
	case length == 0:
		length = engine.DefaultTCPLength
	}
	bitrate := uint64(c.Bitrate.Bitrate)
	if c.UDP && !c.Bitrate.set {
		bitrate = engine.DefaultUDPBitrate
	}
	spec := engine.Spec{
		Proto:            proto,
		Streams:          c.Parallel,
		Length:           int(min(length, 1<<31)),
		Bitrate:          bitrate,
		Duration:         durationOf(c.Time),
		Bytes:            uint64(c.Bytes),
		Blocks:           c.Blocks,
		Omit:             durationOf(c.Omit),
		Window:           int(min(c.Window, 1<<31)),
		MSS:              c.MSS,
		NoDelay:          c.NoDelay,
		Congestion:       c.Congestion,
		TOS:              tos,
		Title:            c.Title,
		ExtraData:        c.ExtraData,
		GetServerOutput:  c.ServerOut,
		UDP64Bit:         c.Counters64,
		RepeatingPayload: c.Repeating,
		DontFragment:     c.DontFrag,
		PacingTimer:      time.Duration(c.PacingTO) * time.Microsecond,
		Burst:            c.Bitrate.burst,
		MPTCP:            c.MPTCP,
		ZeroCopy:         c.ZeroCopy.set,
		ZeroCopyMode:     c.ZeroCopy.mode,
		SkipRxCopy:       c.SkipRxCopy,
		FlowLabel:        c.FlowLabel,
		FQRate:           uint64(c.FQRate),
		ServerCPUs:       c.serverCPUs(),
		Latency:          c.Latency || c.LatRate != 0,
		RecvSpin:         spinOf(c.RecvSpin),
	}
	switch {
	case c.Reverse:
		spec.Direction = engine.Reverse
	case c.Bidir:
		spec.Direction = engine.Bidir
	}
	if err := c.fileLength(&spec); err != nil {
		return engine.ClientConfig{}, err
	}
	if spec.Bytes > 0 || spec.Blocks > 0 {
		spec.Duration = 0
	}
	host := c.Host
	if host == "" {
		host = c.Addr
	}
	if host == "" {
		host = "localhost"
	}
	credentials, err := c.clientAuth()
	if err != nil {
		return engine.ClientConfig{}, err
	}
	keepAlive, err := c.CntlKA.config()
	if err != nil {
		return engine.ClientConfig{}, err
	}
	return engine.ClientConfig{
		Auth:             credentials,
		SendTimeout:      time.Duration(c.SendTO),
		ControlKeepAlive: keepAlive,
		Spec:             spec,
		Host:             host,
		Port:             c.Port,
		Bind:             c.Bind,
		CPort:            c.CPort,
		Family:           c.family(),
		Device:           c.BindDev,
		Interval:         clampInterval(c.Interval),
		ConnectTimeout:   time.Duration(c.ConnectTO),
		RecvTimeout:      durationOf(c.RecvTO),
		IO:               c.IO,
		UDP:              c.udpConfig(),
		CPUs:             c.cpus(),
		File:             c.File,
		LatencyRate:      c.LatRate,
	}, nil
}

// fileLength makes a client that sends a file (-F) with no -t, -n or -k
// send it once, as iperf3 does: the test's bytes are the file's size.
func (c *cli) fileLength(spec *engine.Spec) error {
	if c.File == "" || spec.Direction != engine.Forward || c.timeGiven || spec.Bytes > 0 || spec.Blocks > 0 {
		return nil
	}
	fi, err := os.Stat(c.File)
	if err != nil {
		return fmt.Errorf("unable to open -F file: %w", err)
	}
	spec.Bytes = uint64(fi.Size()) // an empty file leaves the test to its time
	return nil
}

// spinOf is --recv-spin in the engine's terms, where 0 is the default:
// 0 (or less) is never.
func spinOf(d time.Duration) time.Duration {
	if d <= 0 {
		return -1
	}
	return d
}

func durationOf(s engine.Seconds) time.Duration { return time.Duration(s) }

// clampInterval keeps interval reports at 100 ms or more, as iperf3 does.
func clampInterval(s engine.Seconds) time.Duration {
	d := time.Duration(s)
	if d > 0 && d < 100*time.Millisecond {
		return 100 * time.Millisecond
	}
	return d
}
