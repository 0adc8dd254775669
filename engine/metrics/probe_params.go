package metrics

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/goperf/goperf/engine"
	"github.com/goperf/goperf/engine/units"
)

// probeParams reads a probe's query into the client test it asks for:
// target (required), port, duration, protocol, reverse, bidir, parallel,
// bitrate, length and omit, spelled as goperf's flags take them. Unknown
// keys are refused, so that a typo is not a silent default.
func probeParams(q url.Values, maxDuration time.Duration) (engine.ClientConfig, error) {
	for k := range q {
		if !knownParam(k) {
			return engine.ClientConfig{}, fmt.Errorf("unknown parameter %q (known: target, port, duration, protocol, reverse, bidir, parallel, bitrate, length, omit)", k)
		}
	}
	cfg := engine.ClientConfig{Host: q.Get("target"), Port: engine.DefaultPort,
		Spec: engine.Spec{Proto: engine.TCP, Streams: 1, Duration: DefaultProbeDuration}}
	if cfg.Host == "" {
		return cfg, fmt.Errorf("missing target: /probe?target=HOST[&port=5201]")
	}
	steps := []func(url.Values, *engine.ClientConfig) error{probeTarget, probePort, probeProto, probeDirection, probeStreams, probeRate, probeTimes}
	for _, step := range steps {
		if err := step(q, &cfg); err != nil {
			return cfg, err
		}
	}
	if maxDuration > 0 && cfg.Omit+cfg.Duration > maxDuration {
		return cfg, fmt.Errorf("duration %v is over this exporter's limit of %v (--probe-max-duration)", cfg.Omit+cfg.Duration, maxDuration)
	}
	return cfg, cfg.Check()
}

// DefaultProbeDuration is a probe's test length when the query gives none.
const DefaultProbeDuration = 5 * time.Second

func knownParam(k string) bool {
	switch k {
	case "target", "port", "duration", "protocol", "reverse", "bidir", "parallel", "bitrate", "length", "omit":
		return true
	}
	return false
}

// probeTarget takes a target of HOST:PORT (or [V6]:PORT), the form a
// relabelled __address__ has, when no port parameter says otherwise.
func probeTarget(q url.Values, cfg *engine.ClientConfig) error {
	host, port, err := net.SplitHostPort(cfg.Host)
	if err != nil {
		return nil // a bare host
	}
	if q.Get("port") != "" {
		return fmt.Errorf("target %q has a port and so does port=%s: give one", cfg.Host, q.Get("port"))
	}
	cfg.Host = host
	return intValue("port", port, 1, 65535, &cfg.Port)
}

func probePort(q url.Values, cfg *engine.ClientConfig) error {
	return intParam(q, "port", 1, 65535, &cfg.Port)
}

func probeProto(q url.Values, cfg *engine.ClientConfig) error {
	switch p := q.Get("protocol"); p {
	case "", "tcp":
	case "udp":
		cfg.Proto, cfg.Bitrate = engine.UDP, engine.DefaultUDPBitrate
	default:
		return fmt.Errorf("invalid protocol %q: want tcp or udp", p)
	}
	return nil
}

func probeDirection(q url.Values, cfg *engine.ClientConfig) error {
	var reverse, bidir bool
	if err := boolParam(q, "reverse", &reverse); err != nil {
		return err
	}
	if err := boolParam(q, "bidir", &bidir); err != nil {
		return err
	}
	switch {
	case reverse && bidir:
		return fmt.Errorf("reverse and bidir exclude each other")
	case reverse:
		cfg.Direction = engine.Reverse
	case bidir:
		cfg.Direction = engine.Bidir
	}
	return nil
}

func probeStreams(q url.Values, cfg *engine.ClientConfig) error {
	return intParam(q, "parallel", 1, engine.MaxStreams, &cfg.Streams)
}

func probeRate(q url.Values, cfg *engine.ClientConfig) error {
	if v := q.Get("bitrate"); v != "" {
		var r units.Bitrate
		if err := r.UnmarshalText([]byte(v)); err != nil {
			return err
		}
		cfg.Bitrate = uint64(r)
	}
	if v := q.Get("length"); v != "" {
		var n units.ByteSize
		if err := n.UnmarshalText([]byte(v)); err != nil {
			return err
		}
		cfg.Length = int(min(n, 1<<31))
	}
	if cfg.Proto == engine.TCP && cfg.Length == 0 {
		cfg.Length = engine.DefaultTCPLength
	}
	return nil
}

func probeTimes(q url.Values, cfg *engine.ClientConfig) error {
	for _, p := range []struct {
		key string
		to  *time.Duration
	}{{"duration", &cfg.Duration}, {"omit", &cfg.Omit}} {
		v := q.Get(p.key)
		if v == "" {
			continue
		}
		var s units.Seconds
		if err := s.UnmarshalText([]byte(v)); err != nil {
			return fmt.Errorf("%s: %w", p.key, err)
		}
		*p.to = time.Duration(s)
	}
	if cfg.Duration <= 0 {
		return fmt.Errorf("duration must be positive: a probe runs for a time")
	}
	return nil
}

// intParam reads key into to when the query has it, within lo..hi.
func intParam(q url.Values, key string, lo, hi int, to *int) error {
	if v := q.Get(key); v != "" {
		return intValue(key, v, lo, hi, to)
	}
	return nil
}

// intValue reads v, the value of key, into to, within lo..hi.
func intValue(key, v string, lo, hi int, to *int) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return fmt.Errorf("invalid %s %q: want %d to %d", key, v, lo, hi)
	}
	*to = n
	return nil
}

// boolParam reads key into to when the query has it.
func boolParam(q url.Values, key string, to *bool) error {
	v := q.Get(key)
	if v == "" {
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return fmt.Errorf("invalid %s %q: want true or false", key, v)
	}
	*to = b
	return nil
}
