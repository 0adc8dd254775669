package wire

import (
	"encoding/json"
	"fmt"
)

// Params is the parameter document a client sends after PARAM_EXCHANGE.
// Field names and JSON keys are iperf3's; the comments give the units. Keys
// that stock clients always send carry no omitempty.
type Params struct {
	TCP              Flag    `json:"tcp,omitempty"`
	UDP              Flag    `json:"udp,omitempty"`
	SCTP             Flag    `json:"sctp,omitempty"`
	Omit             Int     `json:"omit"`                      // seconds left out at the start
	ServerAffinity   *Int    `json:"server_affinity,omitempty"` // CPU core for the server
	Time             Int     `json:"time"`                      // seconds; 0 with Num or BlockCount
	Num              Int     `json:"num"`                       // bytes in total, 0 = off
	BlockCount       Int     `json:"blockcount"`                // blocks in total, 0 = off
	MSS              Int     `json:"MSS,omitempty"`             // TCP_MAXSEG, bytes
	NoDelay          Flag    `json:"nodelay,omitempty"`
	Parallel         Int     `json:"parallel"` // streams per direction
	Reverse          Flag    `json:"reverse,omitempty"`
	Bidirectional    Flag    `json:"bidirectional,omitempty"`
	MPTCP            Flag    `json:"mptcp,omitempty"`
	Window           Int     `json:"window,omitempty"` // SO_SNDBUF and SO_RCVBUF, bytes
	Len              Int     `json:"len"`              // bytes per write, or per datagram
	Bandwidth        Int     `json:"bandwidth,omitempty"`
	FQRate           Int     `json:"fqrate,omitempty"`       // SO_MAX_PACING_RATE, bit/s
	PacingTimer      Int     `json:"pacing_timer,omitempty"` // µs
	Burst            Int     `json:"burst,omitempty"`        // blocks per burst
	TOS              Int     `json:"TOS,omitempty"`
	FlowLabel        Int     `json:"flowlabel,omitempty"`
	Title            string  `json:"title,omitempty"`
	ExtraData        string  `json:"extra_data,omitempty"`
	Congestion       string  `json:"congestion,omitempty"`
	CongestionUsed   string  `json:"congestion_used,omitempty"`
	GetServerOutput  IntFlag `json:"get_server_output,omitempty"`
	UDPCounters64Bit IntFlag `json:"udp_counters_64bit,omitempty"`
	RepeatingPayload IntFlag `json:"repeating_payload,omitempty"`
	ZeroCopy         IntFlag `json:"zerocopy,omitempty"`
	DontFragment     IntFlag `json:"dont_fragment,omitempty"`
	SkipRxCopy       IntFlag `json:"skip_rx_copy,omitempty"`
	GSO              *Int    `json:"gso,omitempty"` // 3.21: local offload settings, no wire effect
	GRO              *Int    `json:"gro,omitempty"`
	ClientVersion    string  `json:"client_version,omitempty"`
	AuthToken        string  `json:"authtoken,omitempty"` // base64 RSA block: see package auth
	Goperf           *Ext    `json:"goperf,omitempty"`    // goperf's own keys; stock peers ignore them
}

// Ext is goperf's namespaced extension object. Stock iperf3 ignores unknown
// keys, so a goperf peer recognises another by its presence.
type Ext struct {
	V int `json:"v"` // extension version, 1
	// ZeroCopy names how a zero-copy sender sends ("msg", "sendfile"),
	// where the client chose; with zerocopy alone the server picks.
	ZeroCopy string `json:"zerocopy,omitempty"`
	// NoGSO and NoGRO carry a client's --no-gso and --no-gro to the
	// server's UDP streams, so that both ends send and receive alike.
	NoGSO bool `json:"no_gso,omitempty"`
	NoGRO bool `json:"no_gro,omitempty"`
	// Latency asks the server to echo a latency probe: one more TCP
	// connection with the test's cookie, before the data streams
	// (goperf --latency).
	Latency bool `json:"latency,omitempty"`
	// RecvSpinUs is how long, µs, the client lets a receiving stream with
	// a core to itself poll its empty socket before it sleeps; 0 never.
	// The server polls the lesser of it and its own. Absent: the server's.
	RecvSpinUs *int64 `json:"recv_spin_us,omitempty"`
}

// ExtVersion is the extension version this package writes.
const ExtVersion = 1

// Hello is the document a goperf server sends after GoperfHello: what it
// can do beyond iperf3.
type Hello struct {
	V       int    `json:"v"`       // extension version, 1
	Version string `json:"version"` // goperf release, for logs
	// HalfClose says the server counts received data until each stream's
	// EOF, so the client half-closes its sending streams after TEST_END
	// and expects the server to do the same with its own.
	HalfClose bool `json:"half_close,omitempty"`
	// Latency says the server will echo the latency probe the client
	// asked for; without it the client opens none.
	Latency bool `json:"latency,omitempty"`
}

// DecodeParams parses a parameter document. Keys match case-insensitively,
// as in iperf3; unknown keys are ignored; a known key of the wrong JSON type
// is an error.
func DecodeParams(b []byte) (*Params, error) {
	var p Params
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("parameters: %w", err)
	}
	return &p, nil
}
