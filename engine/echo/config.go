package echo

import (
	"net"
	"strconv"
	"time"
)

// Defaults.
const (
	DefaultPort        = 5001
	DefaultBuffer      = 8 << 10
	DefaultMaxConns    = 10000
	DefaultIdleTimeout = 60 * time.Second
	DefaultTimeout     = time.Second // a UDP echo later than this is lost
	MaxDatagram        = 65507
	MinMessage         = headerLen
)

// ServerConfig is what a server needs.
type ServerConfig struct {
	Bind        string        // address to listen on, "" = all
	Port        int           // TCP and UDP port
	UDP         bool          // serve UDP instead of TCP
	Buffer      int           // bytes per TCP read, 0 = DefaultBuffer
	MaxConns    int           // TCP connections at once, 0 = DefaultMaxConns
	IdleTimeout time.Duration // a connection silent this long is closed, 0 = DefaultIdleTimeout
}

// ClientConfig is what a client needs.
type ClientConfig struct {
	Host   string // server, "" = localhost
	Port   int
	UDP    bool
	Buffer int // plain mode: bytes per write (and per datagram), 0 = DefaultBuffer

	// Measuring modes.
	Rate     float64       // open loop: messages per second in all; 0 = closed loop
	Size     int           // bytes per message
	Duration time.Duration // measuring time, after the warm-up
	Count    uint64        // messages to measure instead of a duration
	Conns    int           // connections (-P)
	Warmup   time.Duration // left out of the results
	Timeout  time.Duration // UDP: an echo later than this is lost; 0 = DefaultTimeout
}

func (c *ServerConfig) defaults() {
	if c.Buffer <= 0 {
		c.Buffer = DefaultBuffer
	}
	if c.MaxConns <= 0 {
		c.MaxConns = DefaultMaxConns
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
}

func (c *ClientConfig) defaults() {
	if c.Host == "" {
		c.Host = "localhost"
	}
	if c.Buffer <= 0 {
		c.Buffer = DefaultBuffer
	}
	if c.Conns <= 0 {
		c.Conns = 1
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
}

// network returns "tcp" or "udp".
func network(udp bool) string {
	if udp {
		return "udp"
	}
	return "tcp"
}

func (c *ClientConfig) addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }
