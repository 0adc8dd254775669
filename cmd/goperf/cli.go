package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/kong"

	"github.com/goperf/goperf/cmd/internal/cmdline"
	"github.com/goperf/goperf/engine"
	"github.com/goperf/goperf/engine/output"
	"github.com/goperf/goperf/engine/units"
)

// cli is goperf's command line: iperf3's flags, with -b as the buffer size
// (the seed's meaning) and --bitrate as the rate.
type cli struct {
	Server bool   `short:"s" help:"Run a server." xor:"mode"`
	Client bool   `short:"c" help:"Run a client against HOST." xor:"mode"`
	Host   string `arg:"" optional:"" help:"Server to test against (client only; default localhost)."`

	Port    int    `short:"p" default:"5201" help:"Server port (TCP control and data)."`
	Addr    string `short:"a" help:"Address to listen on (server) or to dial (client, instead of HOST)."`
	Verbose bool   `short:"V" help:"More detail: socket options asked and granted, CPU use."`
	JSON    bool   `short:"J" name:"json" help:"Print iperf3's JSON document instead of tables."`
	Stream  bool   `name:"json-stream" help:"Print one JSON object per line as events happen."`
	Logfile string `help:"Write output to this file instead of standard output."`
	IPv4    bool   `short:"4" name:"version4" help:"Use IPv4 only."`
	IPv6    bool   `short:"6" name:"version6" help:"Use IPv6 only."`
	BindDev string `name:"bind-dev" help:"Bind sockets to this network device (SO_BINDTODEVICE)."`
	MPTCP   bool   `short:"m" name:"mptcp" help:"Multipath TCP, as iperf3's -m: a client's data streams dial it, a server accepts it; either falls back to TCP where the other end or the kernel has none."`

	Interval engine.Seconds `short:"i" default:"1" help:"Seconds between interval reports; 0 for none."`
	IO       engine.IOMode  `name:"io" default:"auto" env:"GOPERF_IO" help:"How streams call the kernel: auto, thread (Linux), raw (Linux) or netconn."`
	RecvSpin time.Duration  `name:"recv-spin" default:"50us" placeholder:"DUR" help:"A receiving stream with a core to itself (the test's streams leave one free) polls its empty socket this long before it sleeps, so that its sender does not pay to wake it, for as long as such polls find data (after one that finds none, up to 64 receives sleep at once); 0 sleeps at once. Its CPU shows it."`
	Batch    int            `name:"batch" default:"32" help:"UDP datagrams (messages) per sendmmsg/recvmmsg call; 1 for one per call."`
	GSO      bool           `name:"gso" default:"true" negatable:"" help:"UDP send offload (UDP_SEGMENT) where the kernel has it."`
	GRO      bool           `name:"gro" default:"true" negatable:"" help:"UDP receive offload (UDP_GRO) where the kernel has it."`
	GSRO     bool           `name:"gsro" help:"UDP GSO and GRO, as iperf3's --gsro: goperf uses both by default where the kernel has them."`

	clientFlags
	serverFlags
	fastFlags
	authFlags
	outputFlags
	processFlags
	metricsFlags

	Version kong.VersionFlag `short:"v" help:"Print the version and exit."`
	Iperf3  bool             `name:"iperf3" help:"Read iperf3 3.21's command line (-b is the rate) and write its text, as goperf does when run under the name iperf3."`

	iperf3 bool // the personality, from --iperf3 or the command's name
}

// clientFlags describe the test; only a client uses them.
type clientFlags struct {
	UDP        bool               `short:"u" help:"UDP instead of TCP."`
	Parallel   int                `short:"P" default:"1" help:"Parallel streams (1 to 128)."`
	Buffer     bufferFlag         `short:"b" help:"Buffer size per read/write, e.g. 131072, 128K, 1M (default 128K for TCP; for UDP the datagram size, default the path MSS as iperf3)."`
	Length     units.BufferSize   `short:"l" name:"length" help:"Same as --buffer (iperf3's name)."`
	Bitrate    optBitrate         `name:"bitrate" placeholder:"RATE[/BURST]" help:"Target rate per stream in bit/s, e.g. 100M; 0 = unlimited (TCP's default; UDP's is 1M, as iperf3). /BURST sends that many blocks at once, as iperf3's."`
	Time       engine.Seconds     `short:"t" default:"10" help:"Test length: seconds (10, 2.5) or a duration (500ms)."`
	Bytes      engine.ByteSize    `short:"n" help:"Bytes to send in total instead of a duration, e.g. 1G."`
	Blocks     uint64             `short:"k" name:"blockcount" help:"Buffers to send in total instead of a duration."`
	Omit       engine.Seconds     `short:"O" help:"Seconds of warm-up to leave out of the results."`
	Reverse    bool               `short:"R" help:"Reverse: the server sends." xor:"dir"`
	Bidir      bool               `name:"bidir" help:"Both ends send at once." xor:"dir"`
	Window     engine.ByteSize    `short:"w" help:"Socket buffer size (SO_SNDBUF and SO_RCVBUF), e.g. 4M."`
	MSS        int                `short:"M" name:"set-mss" help:"TCP maximum segment size (TCP_MAXSEG)."`
	NoDelay    bool               `short:"N" name:"no-delay" help:"Set TCP_NODELAY (disable Nagle)."`
	Congestion string             `short:"C" help:"TCP congestion control algorithm, e.g. cubic, bbr."`
	TOS        string             `short:"S" name:"tos" help:"IP type of service byte, e.g. 0x10."`
	DSCP       string             `name:"dscp" help:"DSCP value (0-63) or name (EF, AF41, CS1)."`
	Bind       string             `short:"B" name:"bind" help:"Local address for the client's connections."`
	CPort      int                `name:"cport" help:"Local port of the first data stream (later ones count up)."`
	Title      string             `short:"T" help:"Title echoed in the JSON output."`
	ExtraData  string             `name:"extra-data" help:"Free text echoed in the JSON output."`
	ServerOut  bool               `name:"get-server-output" help:"Print the server's report of the test too."`
	Counters64 bool               `name:"udp-counters-64bit" help:"64-bit UDP sequence numbers."`
	DontFrag   bool               `name:"dont-fragment" help:"UDP: set the IP Don't Fragment bit on both ends' streams; a datagram over the path MTU fails instead of leaving in fragments."`
	SendTO     units.Milliseconds `name:"snd-timeout" help:"TCP: fail a stream whose data stays unacknowledged this many milliseconds (TCP_USER_TIMEOUT), as iperf3; default the kernel's."`
	CntlKA     keepAliveFlag      `name:"cntl-ka" help:"TCP keepalive on the control connection, as iperf3's --cntl-ka[=IDLE/INTERVAL/COUNT] (seconds, seconds, probes; default 15/15/9)."`
	PacingTO   units.ByteSize     `name:"pacing-timer" placeholder:"MICROSECONDS" help:"With --bitrate: wake a sender at most this often and send what it earned in a burst, as iperf3's --pacing-timer (microseconds, K = 1024 as iperf3 reads it); default: exact waits, block by block."`
	Repeating  bool               `name:"repeating-payload" help:"Send iperf3's repeating pattern (0123456789...) instead of random bytes, which a compressing link cannot shrink."`
	ConnectTO  units.Milliseconds `name:"connect-timeout" help:"Give up connecting after this many milliseconds, as iperf3 (3000, or a duration such as 3s; default 10s)."`
	RecvTO     engine.Seconds     `name:"rcv-timeout" help:"Fail when a receiving stream is idle this long (default 120s)."`
	FlowLabel  int                `short:"L" name:"flowlabel" placeholder:"N" help:"IPv6 flow label of the TCP data streams, 1 to 1048575 (0xfffff), as iperf3's -L."`
	Latency    bool               `name:"latency" help:"Measure latency under load: a probe connection beside the data streams times round trips at a fixed rate (open loop, from each one's due time), per interval and for the test, after an idle baseline taken before the load. A goperf server echoes it; against iperf3 the streams' TCP_INFO RTT is shown instead."`
	LatRate    float64            `name:"latency-rate" placeholder:"N" help:"--latency's round trips per second, 1 to 10000 (default 100); implies --latency."`
	File       string             `short:"F" name:"file" placeholder:"NAME" help:"TCP: send this file's bytes instead of the buffer (and, with no -t, -n or -k, the file once), or, receiving, write what arrives into it, as iperf3's -F. A server's -F serves its own streams."`

	timeGiven bool // -t was on the command line: a file does not set the length
}

// serverFlags are a server's own settings.
type serverFlags struct {
	OneOff     bool            `short:"1" name:"one-off" help:"Serve one test, then exit."`
	MaxClients int             `name:"max-clients" default:"8" help:"Tests served at once; more get iperf3's 'server is busy'."`
	IdleTO     engine.Seconds  `name:"idle-timeout" default:"60" help:"End a test when no data moves for this long."`
	CtrlTO     engine.Seconds  `name:"control-timeout" default:"10" help:"Drop a connection that is silent this long outside the data phase (cookie, parameters, results), or a test whose data streams do not all come."`
	MaxTime    engine.Seconds  `name:"server-max-duration" help:"Refuse tests longer than this, and end -n/-k tests that outlast it (iperf3's flag)."`
	RateLimit  rateLimit       `name:"server-bitrate-limit" placeholder:"RATE[/SECONDS]" help:"Refuse tests that ask for more than RATE in total, and end those whose rate, averaged over SECONDS (default 5), exceeds it (iperf3's flag)."`
	Memory     engine.ByteSize `name:"memory-budget" placeholder:"SIZE" help:"Buffers the tests running at once may hold, e.g. 512M; a test that does not fit is refused (default a quarter of the machine's memory, at most 1G)."`
}

// rateLimit is iperf3's --server-bitrate-limit: a rate, optionally with
// the seconds it is averaged over ("1G/10").
type rateLimit struct {
	rate   engine.Bitrate
	window engine.Seconds
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (l *rateLimit) UnmarshalText(text []byte) error {
	rate, window, found := strings.Cut(string(text), "/")
	if err := l.rate.UnmarshalText([]byte(rate)); err != nil {
		return err
	}
	if !found {
		return nil
	}
	if err := l.window.UnmarshalText([]byte(window)); err != nil {
		return err
	}
	if l.window <= 0 {
		return fmt.Errorf("averaging time must be positive, got %q", window)
	}
	return nil
}

// limits maps the server's caps.
func (c *cli) limits() engine.Limits {
	return engine.Limits{
		MaxDuration:   durationOf(c.MaxTime),
		Bitrate:       uint64(c.RateLimit.rate),
		BitrateWindow: durationOf(c.RateLimit.window),
	}
}

// optBitrate is iperf3's RATE[/BURST], remembering whether it was given.
type optBitrate struct {
	engine.Bitrate
	burst int // blocks sent at once; 0 = none asked
	set   bool
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (b *optBitrate) UnmarshalText(text []byte) error {
	b.set = true
	rate, burst, found := strings.Cut(string(text), "/")
	if found {
		n, err := strconv.Atoi(burst)
		if err != nil || n < 1 || n > engine.MaxBurst {
			return fmt.Errorf("invalid burst %q in %q: want 1 to %d blocks", burst, text, engine.MaxBurst)
		}
		b.burst = n
	}
	return b.Bitrate.UnmarshalText([]byte(rate))
}

// run parses args and runs goperf, returning the process's exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c cli
	all := args
	c.iperf3, args = personality(args)
	say := speaker{iperf3: c.iperf3, w: stderr}
	cmd := cmdline.Command{
		Name: "goperf",
		Description: "TCP and UDP throughput tester that speaks iperf3's protocol.\n\n" +
			"  goperf -s [flags]           run a server\n" +
			"  goperf -c [HOST] [flags]    run a client against HOST (default localhost)",
		Version: "goperf " + engine.Version,
	}
	if c.iperf3 {
		cmd.Name, cmd.Version = "iperf3", iperf3VersionText()
	}
	status, done, err := cmdline.Parse(&c, cmd, args, stdout, stderr)
	if done {
		return status // --help or --version
	}
	if err != nil {
		return say.parameterError(err)
	}
	if c.Daemon {
		if parent, err := detach(all); err != nil || parent {
			if err != nil {
				return say.error(err)
			}
			return 0 // the detached child serves
		}
	}
	err = c.run(ctx, stdout, stderr)
	switch {
	case errors.Is(err, engine.ErrInterrupted):
		// As iperf3: a client stopped by a signal has printed what it
		// measured, says why it stopped, and exits 0.
		say.line("interrupt - the client has terminated")
		return 0
	case err != nil:
		return say.error(err)
	}
	return 0
}

// Validate checks what kong's tags cannot.
func (c *cli) Validate() error {
	switch {
	case !c.Server && !c.Client && c.Exporter == "":
		return fmt.Errorf("choose a mode: -s to run a server, or -c [HOST] to run a client (goperf --help lists the flags)")
	case c.Exporter != "" && c.Host != "":
		return fmt.Errorf("the exporter takes no HOST: each probe names its target (/probe?target=HOST)")
	case c.Server && c.Host != "" && c.iperf3:
		c.Host = "" // iperf3's server ignores it; perf-tests passes one
	case c.Server && c.Host != "":
		return fmt.Errorf("a server takes no HOST (use -a to choose the address to listen on)")
	case c.IPv4 && c.IPv6:
		return fmt.Errorf("-4 and -6 exclude each other")
	case c.JSON && c.Stream:
		return fmt.Errorf("--json and --json-stream exclude each other")
	case c.Host != "" && c.Addr != "" && c.Host != c.Addr:
		return fmt.Errorf("HOST %q and -a %q disagree", c.Host, c.Addr)
	case c.Buffer.ByteSize != 0 && c.Length.ByteSize != 0 && c.Buffer.ByteSize != c.Length.ByteSize:
		return fmt.Errorf("--buffer and --length disagree")
	case c.TOS != "" && c.DSCP != "":
		return fmt.Errorf("--tos and --dscp exclude each other")
	case c.PacingTO > 1e6:
		return fmt.Errorf("--pacing-timer must be at most 1000000 microseconds, got %d", c.PacingTO)
	case c.GSRO && (!c.GSO || !c.GRO):
		return fmt.Errorf("--gsro asks for GSO and GRO: it excludes --no-gso and --no-gro")
	case !c.Server && (c.Daemon || c.PIDFile != ""):
		return fmt.Errorf("-D and -I are a server's (goperf -s)")
	case c.Batch < 1 || c.Batch > 1024:
		return fmt.Errorf("UDP batch must be 1 to 1024, got %d", c.Batch)
	case c.RecvSpin < 0 || c.RecvSpin > engine.MaxRecvSpin:
		return fmt.Errorf("--recv-spin must be 0 to %v, got %v", engine.MaxRecvSpin, c.RecvSpin)
	}
	return c.checkMetrics()
}

// run starts the server or the client.
func (c *cli) run(ctx context.Context, stdout, stderr io.Writer) error {
	out, closeOut, err := c.output(stdout, stderr)
	if err != nil {
		return err
	}
	defer closeOut()
	if c.Exporter != "" {
		return c.exporter(ctx, stderr)
	}
	if c.Server {
		if c.PIDFile != "" {
			remove, err := writePIDFile(c.PIDFile)
			if err != nil {
				return err
			}
			defer remove()
		}
		return c.serve(ctx, out, stderr)
	}
	cfg, err := c.clientConfig()
	if err == nil {
		err = cfg.Check()
	}
	switch {
	case engine.IsLengthError(err) && rateLike(c.Buffer.text):
		return fmt.Errorf("%w; %s", err, rateHint(c.Buffer.text))
	case err != nil:
		return err
	}
	if note := c.Buffer.rateNote(); note != "" {
		fmt.Fprintln(stderr, "goperf: "+note)
	}
	_, err = engine.RunClient(ctx, cfg, out)
	return err
}

// output builds the engine's output from the format flags and --logfile.
func (c *cli) output(stdout, stderr io.Writer) (engine.Output, func(), error) {
	out := engine.Output{W: stdout, Verbose: c.Verbose, StreamFull: c.StreamFull, RateUnit: c.Format.unit, Iperf3: c.iperf3}
	switch {
	case c.JSON:
		out.Format = engine.JSON
	case c.Stream:
		out.Format = engine.JSONStream
	}
	closeOut := func() {}
	logw := stderr
	if c.Logfile != "" {
		f, err := os.OpenFile(c.Logfile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return out, nil, fmt.Errorf("log file: %w", err)
		}
		out.W, logw = f, f
		closeOut = func() { _ = f.Close() }
	}
	if f := c.Timestamps.format; f != "" && out.Format == engine.Text {
		out.W = output.Stamped(out.W, f, time.Now)
	}
	prefix := speaker{iperf3: c.iperf3}.prefix()
	out.Log = engine.Logger{Errorf: func(format string, args ...any) {
		fmt.Fprintf(logw, prefix+format+"\n", args...)
	}}
	if c.Debug || (c.Verbose && !c.iperf3) { // iperf3's -V adds to the report, not a log
		out.Log.Verbosef = out.Log.Errorf
	}
	return out, closeOut, nil
}

// serve runs the server, and its metrics endpoint when asked, until ctx
// is done or a one-off server's test is over.
func (c *cli) serve(ctx context.Context, out engine.Output, note io.Writer) error {
	verifier, err := c.serverAuth()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var srv *engine.Server
	observe, serveMetrics, err := c.serveMetrics(ctx, func() engine.ServerStats { return srv.Stats() }, note)
	if err != nil {
		return err
	}
	srv = engine.NewServer(engine.ServerConfig{
		Bind:           c.Addr,
		Port:           c.Port,
		Family:         c.family(),
		Device:         c.BindDev,
		Interval:       clampInterval(c.Interval),
		OneOff:         c.OneOff,
		MaxTests:       c.MaxClients,
		IdleTimeout:    durationOf(c.IdleTO),
		Limits:         c.limits(),
		ControlTimeout: durationOf(c.CtrlTO),
		IO:             c.IO,
		RecvSpin:       spinOf(c.RecvSpin),
		UDP:            c.udpConfig(),
		MemoryBudget:   int64(c.Memory),
		MPTCP:          c.MPTCP,
		Auth:           verifier,
		CPUs:           c.cpus(),
		File:           c.File,
		Observe:        observe,
	}, out)
	if err := srv.Listen(ctx); err != nil {
		return err
	}
	if serveMetrics == nil {
		return srv.Serve(ctx)
	}
	served := make(chan error, 1)
	go func() { served <- serveMetrics(ctx) }()
	err = srv.Serve(ctx)
	cancel() // a one-off server is done: the endpoint goes with it
	return errors.Join(err, <-served)
}

// udpConfig maps the UDP I/O flags.
func (c *cli) udpConfig() engine.UDPConfig {
	return engine.UDPConfig{Batch: c.Batch, NoGSO: !c.GSO, NoGRO: !c.GRO}
}

func (c *cli) family() engine.Family {
	switch {
	case c.IPv4:
		return engine.IPv4
	case c.IPv6:
		return engine.IPv6
	}
	return engine.AnyFamily
}

// parseTOS reads --tos (a byte, in decimal, hex or octal) or --dscp (a
// codepoint number or name) into the TOS byte.
func parseTOS(tos, dscp string) (int, error) {
	if tos != "" {
		v, err := strconv.ParseInt(tos, 0, 0)
		if err != nil || v < 0 || v > 255 {
			return 0, fmt.Errorf("invalid --tos %q: want 0 to 255, e.g. 0x10", tos)
		}
		return int(v), nil
	}
	if dscp == "" {
		return 0, nil
	}
	if v, ok := dscpNames[strings.ToUpper(dscp)]; ok {
		return v << 2, nil
	}
	v, err := strconv.ParseInt(dscp, 0, 0)
	if err != nil || v < 0 || v > 63 {
		return 0, fmt.Errorf("invalid --dscp %q: want 0 to 63 or a name such as EF or AF41", dscp)
	}
	return int(v) << 2, nil
}

// dscpNames are the standard codepoint names (RFC 2474, 2597, 3246, 5865).
var dscpNames = map[string]int{
	"CS0": 0, "CS1": 8, "CS2": 16, "CS3": 24, "CS4": 32, "CS5": 40, "CS6": 48, "CS7": 56,
	"AF11": 10, "AF12": 12, "AF13": 14, "AF21": 18, "AF22": 20, "AF23": 22,
	"AF31": 26, "AF32": 28, "AF33": 30, "AF41": 34, "AF42": 36, "AF43": 38,
	"EF": 46, "VOICE-ADMIT": 44, "LE": 1,
}

// AfterApply is kong's hook after parsing: it notes whether -t was on
// the command line, not a default, since a file (-F) sets the length of
// a test whose time was not given.
func (c *cli) AfterApply(ctx *kong.Context) error {
	for _, p := range ctx.Path {
		if p.Flag != nil && p.Flag.Name == "time" {
			c.timeGiven = true
		}
	}
	return nil
}
