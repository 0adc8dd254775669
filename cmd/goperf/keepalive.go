package main

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/kong"
)

// keepAliveFlag is iperf3's --cntl-ka[=IDLE/INTERVAL/COUNT]: TCP keepalive
// on the control connection, with optional seconds before the first
// probe, seconds between probes, and probes unanswered before the
// connection is dropped. Without values, Go's defaults hold (15 s, 15 s, 9).
type keepAliveFlag struct {
	set                   bool
	idle, interval, count int // 0 = not given
}

// IsBool lets the flag stand alone, as --cntl-ka.
func (k *keepAliveFlag) IsBool() bool { return true }

// Decode reads the optional =IDLE/INTERVAL/COUNT.
func (k *keepAliveFlag) Decode(ctx *kong.DecodeContext) error {
	k.set = true
	text, given := optionalValue(ctx)
	if !given {
		return nil
	}
	parts := strings.Split(text, "/")
	if len(parts) > 3 {
		return fmt.Errorf("want --cntl-ka[=IDLE[/INTERVAL[/COUNT]]], got %q", text)
	}
	fields := []*int{&k.idle, &k.interval, &k.count}
	for i, p := range parts {
		if p == "" {
			continue
		}
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || v > 86400 {
			return fmt.Errorf("want --cntl-ka[=IDLE[/INTERVAL[/COUNT]]] in whole seconds and probes, got %q", text)
		}
		*fields[i] = v
	}
	return nil
}

// config returns the keepalive for the control connection; Enable is
// false when the flag was not given.
func (k *keepAliveFlag) config() (net.KeepAliveConfig, error) {
	if !k.set {
		return net.KeepAliveConfig{}, nil
	}
	orDefault := func(v int, def time.Duration) time.Duration {
		if v == 0 {
			return def
		}
		return time.Duration(v) * time.Second
	}
	ka := net.KeepAliveConfig{Enable: true, Idle: orDefault(k.idle, 15*time.Second),
		Interval: orDefault(k.interval, 15*time.Second), Count: k.count}
	if ka.Count == 0 {
		ka.Count = 9
	}
	if k.idle != 0 && ka.Idle <= ka.Interval*time.Duration(ka.Count) {
		// iperf3's IECNTLKA: otherwise the probes would outlast the idle time
		return ka, fmt.Errorf("control connection Keepalive period should be larger than the full retry period (interval * count): %v <= %v * %d",
			ka.Idle, ka.Interval, ka.Count)
	}
	return ka, nil
}
