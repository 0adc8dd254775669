package echo

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/goperf/goperf/engine/transport"
	"github.com/goperf/goperf/sockopt"
)

// Proto is the transport an echo runs over: TCP or UDP, as goperf's.
type Proto = transport.Proto

// The transports.
const (
	TCP = transport.TCP
	UDP = transport.UDP
)

// network returns "tcp" or "udp": the network to dial or listen on, and
// the name the seed's lines print.
func network(p Proto) string {
	if p == UDP {
		return "udp"
	}
	return "tcp"
}

// Defaults, as the command line offers them.
const (
	DefaultPort           = 5001             // the seed's
	DefaultBuffer         = 16 << 10         // bytes per read and write
	DefaultMaxConns       = 10000            // TCP connections a server echoes at once
	DefaultIdleTimeout    = 60 * time.Second // server: close a silent TCP connection
	DefaultStallTimeout   = 10 * time.Second // client: fail a TCP connection whose echo is this late
	DefaultLostTimeout    = time.Second      // client: a UDP message not echoed by then is lost
	DefaultConnectTimeout = 10 * time.Second
	MinMessage            = headerLen // bytes: a sequence number and a send time
	MaxUDPPayload         = 65507     // bytes in one IPv4 UDP datagram
	MaxMessage            = 65507     // bytes: over TCP too, so that a message fits the socket buffers and a ping-pong cannot deadlock
	maxUDPDatagram        = 65535     // bytes the UDP server reads at once
)

// ServerConfig describes an echo server. Zero fields take the defaults.
type ServerConfig struct {
	Proto       Proto
	Bind        string        // address to listen on; "" = every address
	Port        int           // 0 = any free port (see Server.Addr)
	Buffer      int           // TCP: bytes per read; UDP reads whole datagrams
	MaxConns    int           // TCP connections echoed at once; more are refused
	IdleTimeout time.Duration // TCP: close a connection idle this long (fires within twice that)
	Window      int           // SO_SNDBUF and SO_RCVBUF in bytes (-w); 0 = the kernel's default
	Spin        time.Duration // busy-poll window per read while connections are fewer than CPUs; 0 = DefaultSpin, < 0 = none
}

func (c *ServerConfig) defaults() {
	c.Buffer = orDefault(c.Buffer, DefaultBuffer)
	c.MaxConns = orDefault(c.MaxConns, DefaultMaxConns)
	c.IdleTimeout = orDefault(c.IdleTimeout, DefaultIdleTimeout)
	c.Spin = orDefault(c.Spin, DefaultSpin)
}

// ClientConfig says where a client dials and how long it waits.
type ClientConfig struct {
	Proto          Proto
	Host           string // "" = localhost
	Port           int
	Buffer         int           // plain mode: bytes per piece of a line (and per UDP datagram)
	ConnectTimeout time.Duration // dialling one connection
	LostTimeout    time.Duration // UDP: a message not echoed within this is lost
	StallTimeout   time.Duration // TCP: a connection whose echo is this late fails (fires within twice that)
	Window         int           // SO_SNDBUF and SO_RCVBUF in bytes (-w); 0 = the kernel's default
}

func (c *ClientConfig) defaults() {
	if c.Host == "" {
		c.Host = "localhost"
	}
	c.Port = orDefault(c.Port, DefaultPort)
	c.Buffer = orDefault(c.Buffer, DefaultBuffer)
	c.ConnectTimeout = orDefault(c.ConnectTimeout, DefaultConnectTimeout)
	c.LostTimeout = orDefault(c.LostTimeout, DefaultLostTimeout)
	c.StallTimeout = orDefault(c.StallTimeout, DefaultStallTimeout)
}

// address returns host:port.
func (c *ClientConfig) address() string {
	return net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
}

// MeasureConfig describes a latency run. It ends after Duration of
// measurement or Count measured messages, whichever is set; a warm-up of
// Warmup comes first and is left out of the results.
type MeasureConfig struct {
	Size     int           // bytes per message, MinMessage or more
	Duration time.Duration // measured time; ignored when Count is set
	Count    uint64        // measured messages in total, over all connections
	Conns    int           // connections, each with its own goroutine(s)
	Warmup   time.Duration // excluded from the results
	Rate     float64       // messages per second in total: open loop; 0 = closed loop
	Spin     time.Duration // closed loop: busy-poll window per echo; 0 = DefaultSpin, < 0 = none
}

// validate checks m.
func (m *MeasureConfig) validate() error {
	switch {
	case m.Size < MinMessage:
		return fmt.Errorf("message size must be at least %d bytes (a sequence number and a timestamp), got %d", MinMessage, m.Size)
	case m.Size > MaxMessage:
		return fmt.Errorf("message size must be at most %d bytes, got %d", MaxMessage, m.Size)
	case m.Conns < 1:
		return fmt.Errorf("connections must be 1 or more, got %d", m.Conns)
	case m.Count == 0 && m.Duration <= 0:
		return fmt.Errorf("a measurement needs a duration or a message count")
	case m.Rate < 0:
		return fmt.Errorf("rate must be positive, got %v", m.Rate)
	}
	return nil
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// windowOptions asks for socket buffers of window bytes, as iperf3's -w.
func windowOptions(window int) sockopt.Options {
	return sockopt.Options{SendBuffer: window, RecvBuffer: window}
}
