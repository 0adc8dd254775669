package engine

import (
	"fmt"
	"net"
	"slices"
	"time"

	"github.com/goperf/goperf/engine/auth"
	"github.com/goperf/goperf/engine/wire"
	"github.com/goperf/goperf/sockopt"
)

// Direction says which end sends.
type Direction int

// The directions, named from the client's side.
const (
	Forward Direction = iota // client sends
	Reverse                  // server sends (-R)
	Bidir                    // both send (--bidir)
)

// String returns the direction's name.
func (d Direction) String() string {
	switch d {
	case Reverse:
		return "reverse"
	case Bidir:
		return "bidirectional"
	}
	return "forward"
}

// Limits shared with iperf3.
const (
	MaxStreams   = 128     // streams per direction
	MaxTCPLength = 1 << 20 // bytes per TCP write
	MinUDPLength = 16      // bytes per datagram
	MaxUDPLength = 65507   // bytes per datagram
	MaxWindow    = 512 << 20
	MaxMSS       = 32767
	MaxOmit      = 600 * time.Second
	MaxCPU       = 1024 // highest core -A takes
)

// Default values, as iperf3's.
const (
	DefaultPort       = 5201
	DefaultTCPLength  = 128 << 10
	DefaultUDPLength  = 1460    // when the control connection's MSS is unknown
	DefaultUDPBitrate = 1 << 20 // bit/s per stream
	DefaultDuration   = 10 * time.Second
)

// Spec describes one test as both ends agree on it. A client sends it as
// iperf3 parameters; a server reads it back from them.
type Spec struct {
	Proto      Proto
	Streams    int           // streams per direction (-P)
	Direction  Direction     // who sends
	Length     int           // bytes per write or per datagram (-b, -l)
	Bitrate    uint64        // bit/s per stream and direction, 0 = unlimited
	Duration   time.Duration // test length; 0 with Bytes or Blocks
	Bytes      uint64        // end after this many bytes in total (-n), 0 = off
	Blocks     uint64        // end after this many writes or reads in total (-k), 0 = off
	Omit       time.Duration // warm-up left out of the results (-O)
	Window     int           // SO_SNDBUF and SO_RCVBUF of data sockets (-w), bytes
	MSS        int           // TCP_MAXSEG of data sockets (-M), bytes
	NoDelay    bool          // TCP_NODELAY on data sockets (-N)
	Congestion string        // TCP congestion control (-C)
	TOS        int           // IP TOS byte (--tos, --dscp), 0 = default
	FQRate     uint64        // SO_MAX_PACING_RATE per socket, bit/s
	Title      string        // label echoed in JSON output (-T)
	ExtraData  string        // free text echoed in JSON output

	GetServerOutput bool // the server returns its own report with its results
	UDP64Bit        bool // 64-bit UDP sequence numbers
	// RepeatingPayload sends iperf3's "0123456789" pattern instead of
	// random bytes (--repeating-payload).
	RepeatingPayload bool
	// DontFragment sets the DF bit on UDP streams, both ends
	// (--dont-fragment): a datagram over the path MTU fails instead of
	// leaving in fragments.
	DontFragment bool
	// PacingTimer, when set, is how often a paced sender wakes at most: it
	// sends what the rate earned since in a burst, as iperf3's
	// --pacing-timer. 0 (and iperf3's default, 1 ms, from a stock client)
	// paces with exact waits, block by block.
	PacingTimer time.Duration
	// MPTCP dials the data streams with Multipath TCP (iperf3's -m); the
	// connection falls back to TCP where the server or the path has none.
	MPTCP bool
	// Burst, when set, sends that many blocks back to back and then waits
	// for the rate to earn them, as iperf3's --bitrate RATE/BURST; the
	// rate is the same.
	Burst int
	// ZeroCopy sends TCP blocks without copying them into the kernel
	// (-Z), in ZeroCopyMode: MSG_ZEROCOPY where the kernel has it, else
	// sendfile, as sockopt.ZeroCopy says. UDP streams copy as before.
	ZeroCopy     bool
	ZeroCopyMode sockopt.ZeroCopyMode
	// SkipRxCopy lets the kernel discard what the receivers read
	// (--skip-rx-copy, MSG_TRUNC): TCP counts the bytes it took off the
	// stream, UDP copies each datagram's header only (and without GRO).
	SkipRxCopy bool
	// FlowLabel is the IPv6 flow label of the client's TCP data streams
	// (-L), 1 to sockopt.MaxFlowLabel; 0 leaves the kernel's.
	FlowLabel int
	// NoGSO and NoGRO turn the UDP offloads off at the server's end too
	// (a client's --no-gso, --no-gro); a stock server never hears of them.
	NoGSO, NoGRO bool
	// RecvSpin is how long a receiving stream that keeps a thread to
	// itself polls its empty socket before it sleeps (DefaultRecvSpin):
	// 0 = DefaultRecvSpin at the client and the server's own setting at a
	// goperf server, < 0 = never. A goperf server's receivers poll the
	// lesser of it and the server's own (ServerConfig.RecvSpin).
	RecvSpin time.Duration
	// ServerCPUs places the server's stream threads (-A n,m's m): stream i
	// on ServerCPUs[i mod len]. A stock server takes the first as its
	// core. nil leaves them where the kernel puts them.
	ServerCPUs []int
	// Latency runs a latency probe beside the data streams (--latency): a
	// goperf server echoes it; a stock one never hears of it.
	Latency bool
}

// MaxBurst caps --bitrate's /BURST, as iperf3 does (MAX_BURST).
const MaxBurst = 1000

// DefaultUDPRecvBuffer is the receive buffer a UDP data socket asks for
// when -w does not say. The kernel's default (208 KiB) holds three GSO
// buffers: a receiver that is not scheduled for a millisecond drops
// datagrams that a fast path delivered. 16 MiB, like quic-go's 7 MiB, is
// the slack of a few milliseconds at tens of Gbit/s; the kernel grants up
// to net.core.rmem_max unless the process may force it (CAP_NET_ADMIN).
const DefaultUDPRecvBuffer = 16 << 20

// sockopts returns the socket options the data sockets of s ask for.
func (s *Spec) sockopts(device string) sockopt.Options {
	o := s.flagSockopts(device)
	if s.Proto == UDP && s.Window == 0 {
		o.RecvBuffer = DefaultUDPRecvBuffer
	}
	return o
}

// flagSockopts returns the options exactly as the flags give them.
func (s *Spec) flagSockopts(device string) sockopt.Options {
	return sockopt.Options{
		SendBuffer:    s.Window,
		RecvBuffer:    s.Window,
		MSS:           s.MSS,
		NoDelay:       s.NoDelay,
		Congestion:    s.Congestion,
		TOS:           s.TOS,
		Device:        device,
		MaxPacingRate: s.FQRate / 8,
		DontFragment:  s.DontFragment && s.Proto == UDP,
	}
}

// totalStreams is the number of data connections: Streams, twice in bidir.
func (s *Spec) totalStreams() int {
	if s.Direction == Bidir {
		return 2 * s.Streams
	}
	return s.Streams
}

// clientSends reports whether the client sends on its i-th stream (0-based,
// in connection order).
func (s *Spec) clientSends(i int) bool {
	switch s.Direction {
	case Reverse:
		return false
	case Bidir:
		return i < s.Streams
	}
	return true
}

// validate checks s against iperf3's limits. It returns a *specError that
// carries the iperf3 error code a server reports to its client.
func (s *Spec) validate() error {
	switch {
	case s.Streams < 1 || s.Streams > MaxStreams:
		return specErr(wire.CodeNumStreams, "parallel streams must be 1 to %d, got %d", MaxStreams, s.Streams)
	case s.Proto == TCP && (s.Length < 1 || s.Length > MaxTCPLength):
		return specErr(wire.CodeBlockSize, "TCP buffer size must be 1 to %d bytes, got %d", MaxTCPLength, s.Length)
	case s.Proto == UDP && (s.Length < MinUDPLength || s.Length > MaxUDPLength):
		return specErr(wire.CodeUDPBlockSize, "UDP datagram size must be %d to %d bytes, got %d", MinUDPLength, MaxUDPLength, s.Length)
	case s.Duration < 0 || s.Duration > maxSeconds*time.Second:
		return specErr(wire.CodeDuration, "duration must be 0 to %d seconds", maxSeconds)
	case s.Omit < 0 || s.Omit > MaxOmit || s.Omit%time.Second != 0:
		return specErr(wire.CodeOmit, "omit must be whole seconds from 0 to %d (iperf3 sends it as an integer)", MaxOmit/time.Second)
	case s.Window < 0 || s.Window > MaxWindow:
		return specErr(wire.CodeBufSize, "socket buffer must be 0 to %d bytes, got %d", MaxWindow, s.Window)
	case s.MSS < 0 || s.MSS > MaxMSS:
		return specErr(wire.CodeMSS, "MSS must be 0 to %d bytes, got %d", MaxMSS, s.MSS)
	case s.TOS < 0 || s.TOS > 255:
		return specErr(wire.CodeBadTOS, "TOS must be 0 to 255, got %d", s.TOS)
	case slices.ContainsFunc(s.ServerCPUs, func(c int) bool { return c < 0 || c > MaxCPU }):
		return specErr(wire.CodeAffinity, "server CPU must be 0 to %d, got %v", MaxCPU, s.ServerCPUs)
	}
	return nil
}

// IOMode chooses how data streams call the kernel.
type IOMode int

// The modes. See iopath.go for what each is and what auto picks.
const (
	IOAuto    IOMode = iota // the measured best for the test, see choosePath
	IORaw                   // raw system calls in RawConn callbacks (Linux)
	IONetConn               // net.Conn's Read and Write
	IOThread                // a locked OS thread per stream, blocking socket (Linux)
)

// String returns the mode's name as the --io flag takes it.
func (m IOMode) String() string {
	switch m {
	case IORaw:
		return "raw"
	case IONetConn:
		return "netconn"
	case IOThread:
		return "thread"
	}
	return "auto"
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *IOMode) UnmarshalText(b []byte) error {
	for _, c := range []IOMode{IOAuto, IORaw, IONetConn, IOThread} {
		if string(b) == c.String() {
			*m = c
			return nil
		}
	}
	return fmt.Errorf("invalid I/O mode %q (want auto, thread, raw or netconn)", b)
}

// Family restricts addresses to one IP version.
type Family int

// The families.
const (
	AnyFamily Family = 0
	IPv4      Family = 4
	IPv6      Family = 6
)

// network returns "tcp", "tcp4" or "tcp6" (or the udp ones) for f.
func (f Family) network(p Proto) string {
	n := "tcp"
	if p == UDP {
		n = "udp"
	}
	switch f {
	case IPv4:
		return n + "4"
	case IPv6:
		return n + "6"
	}
	return n
}

// ClientConfig is everything a client needs: the test to run and where.
type ClientConfig struct {
	Spec
	Host           string        // server name or address
	Port           int           // server port
	Bind           string        // local address to bind (-B), "" = any
	CPort          int           // local port of the first data stream, 0 = any
	Family         Family        // restrict to IPv4 or IPv6
	Device         string        // SO_BINDTODEVICE for every socket
	Interval       time.Duration // interval reports, 0 = none
	ConnectTimeout time.Duration // per connection attempt, 0 = 10 s
	RecvTimeout    time.Duration // a receiving stream idle this long fails the test, 0 = 120 s
	IO             IOMode        // how data streams call the kernel
	UDP            UDPConfig     // how UDP streams batch their datagrams
	Auth           *ClientAuth   // credentials for a server that asks; nil = none
	// SendTimeout fails a TCP data stream whose data stays unacknowledged
	// this long (TCP_USER_TIMEOUT, iperf3's --snd-timeout); 0 = the
	// kernel's.
	SendTimeout time.Duration
	// ControlKeepAlive sets TCP keepalive on the control connection
	// (iperf3's --cntl-ka); Enable false leaves Go's default.
	ControlKeepAlive net.KeepAliveConfig
	// File, when set, is where the client's TCP data comes from, as a
	// sender, or goes to, as a receiver (iperf3's -F).
	File string
	// CPUs places the client's stream threads (-A, --affinity-streams):
	// stream i on CPUs[i mod len]; nil leaves them. Placing needs the
	// thread I/O path (--io auto or thread).
	CPUs []int
	// LatencyRate is the probe's round trips per second with
	// Spec.Latency, 0 = DefaultLatencyRate.
	LatencyRate float64
}

// UDPConfig chooses how UDP streams move datagrams. Where the kernel lacks
// an offload it is simply off; reports say what was in effect.
type UDPConfig struct {
	Batch int  // messages per sendmmsg/recvmmsg call, 0 = DefaultUDPBatch
	NoGSO bool // do not let the kernel split send buffers (UDP_SEGMENT)
	NoGRO bool // do not let the kernel coalesce received datagrams (UDP_GRO)
}

// DefaultRecvSpin is how long a receiving stream that keeps a thread to
// itself (thread.go: while a test's streams leave a core free) polls its
// empty socket, awake, before it sleeps: a sleeping receiver makes its
// sender pay for waking it, dear in a VM. See thread.go for the figures.
const DefaultRecvSpin = 50 * time.Microsecond

// MaxRecvSpin caps RecvSpin, and the polling a client may ask of a
// server.
const MaxRecvSpin = 10 * time.Millisecond

// recvSpin is a RecvSpin setting in effect: 0 for never.
func recvSpin(d time.Duration) time.Duration {
	switch {
	case d == 0:
		return DefaultRecvSpin
	case d < 0:
		return 0
	}
	return min(d, MaxRecvSpin)
}

// serverSpin is what a server's receivers poll for a test that asked for
// spin (Spec.RecvSpin) on a server that allows own: the lesser, so that
// either end may refuse polling and neither makes the other poll longer
// than it allows.
func serverSpin(spin, own time.Duration) time.Duration {
	return min(recvSpin(spin), recvSpin(own))
}

// DefaultUDPBatch is the messages per system call when none is set.
const DefaultUDPBatch = 32

// options converts c to the stream-level options.
func (c UDPConfig) options() udpOptions {
	o := udpOptions{Batch: c.Batch, GSO: !c.NoGSO, GRO: !c.NoGRO}
	if o.Batch <= 0 {
		o.Batch = DefaultUDPBatch
	}
	return o
}

// ServerConfig is everything a server needs.
type ServerConfig struct {
	Bind        string        // local address to listen on, "" = all
	Port        int           // listening port
	Family      Family        // restrict to IPv4 or IPv6
	Device      string        // SO_BINDTODEVICE for the listener
	Interval    time.Duration // interval reports, 0 = none
	OneOff      bool          // serve one test, then return (-1)
	MaxTests    int           // tests running at once; more get ACCESS_DENIED. 0 = DefaultMaxTests
	IdleTimeout time.Duration // a test with no data moving this long is ended, 0 = DefaultIdleTimeout
	// ControlTimeout bounds the wait for a connection's cookie, for each
	// control message outside the data phase, and for a test's data
	// streams to arrive. 0 = DefaultControlTimeout.
	ControlTimeout time.Duration
	Limits         Limits        // caps on each test's length and rate
	IO             IOMode        // how data streams call the kernel
	RecvSpin       time.Duration // the most a test's receivers poll (Spec.RecvSpin): 0 = DefaultRecvSpin, < 0 = never
	UDP            UDPConfig     // how UDP streams batch their datagrams
	NoUDP          bool          // serve TCP tests only: no UDP listener
	MPTCP          bool          // accept Multipath TCP (-m); plain TCP clients are served as before
	// Auth, when set, refuses tests whose token it does not accept.
	Auth *auth.Verifier
	// MemoryBudget is the bytes of buffers the tests running at once may
	// hold; a test that does not fit is refused. 0 = DefaultMemoryBudget.
	MemoryBudget int64
	// File is -F for the server's TCP streams: what they send, or where
	// what they receive goes.
	File string
	// CPUs places the stream threads of every test (-A,
	// --affinity-streams) whose client did not ask for a core
	// (server_affinity): stream i on CPUs[i mod len].
	CPUs []int
	// Observe, when set, is called with each admitted test as it ends,
	// from the test's goroutine, after the server has forgotten it; it
	// should return promptly. Server.Stats has the counters.
	Observe func(*TestRecord)
}

// Server defaults.
const (
	DefaultMaxTests       = 8
	DefaultIdleTimeout    = 60 * time.Second
	DefaultControlTimeout = ctrlTimeout
)

// addr returns the server's host:port.
func (c *ClientConfig) addr() string {
	return joinHostPort(c.Host, c.Port)
}

// Check reports what RunClient would refuse in c before it connects.
func (c *ClientConfig) Check() error { return c.check() }

// check validates the client-only settings and the spec.
func (c *ClientConfig) check() error {
	if c.Port < 1 || c.Port > 65535 {
		return fmt.Errorf("port must be 1 to 65535, got %d", c.Port)
	}
	if c.CPort < 0 || c.CPort > 65535 {
		return fmt.Errorf("client port must be 0 to 65535, got %d", c.CPort)
	}
	if c.Interval < 0 {
		return fmt.Errorf("interval must not be negative")
	}
	if c.UDP.Batch < 0 || c.UDP.Batch > 1024 {
		return fmt.Errorf("UDP batch must be 1 to 1024, got %d", c.UDP.Batch)
	}
	if r := c.LatencyRate; r != 0 && (r < MinLatencyRate || r > MaxLatencyRate) {
		return fmt.Errorf("latency probe rate must be %g to %g round trips per second, got %g", MinLatencyRate, MaxLatencyRate, r)
	}
	if err := checkFastPaths(&c.Spec, c.IO, c.CPUs); err != nil {
		return err
	}
	if err := checkFile(&c.Spec, c.File); err != nil {
		return err
	}
	switch {
	case c.FlowLabel < 0 || c.FlowLabel > sockopt.MaxFlowLabel:
		return specErr(wire.CodeSetFlow, "unable to set IPv6 flow label: want 1 to %d, got %d", sockopt.MaxFlowLabel, c.FlowLabel)
	case c.FlowLabel > 0 && c.Proto == UDP:
		return specErr(wire.CodeSetFlow, "unable to set IPv6 flow label: goperf labels TCP streams only (-L; iperf3 ignores it for UDP)")
	case c.FlowLabel > 0 && !sockopt.FlowLabels:
		return specErr(wire.CodeSetFlow, "unable to set IPv6 flow label: not on this platform (it needs goperf's Linux build)")
	}
	if c.Proto == UDP && c.Length == 0 {
		return nil // the default, the control connection's MSS, is known once connected
	}
	return c.Spec.validate()
}
