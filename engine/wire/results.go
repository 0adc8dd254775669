package wire

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Results is the results document each side sends after EXCHANGE_RESULTS:
// what it measured on each of its streams.
type Results struct {
	CPUUtilTotal         float64         `json:"cpu_util_total"`  // percent of one CPU
	CPUUtilUser          float64         `json:"cpu_util_user"`   // percent
	CPUUtilSystem        float64         `json:"cpu_util_system"` // percent
	SenderHasRetransmits Int             `json:"sender_has_retransmits"`
	CongestionUsed       string          `json:"congestion_used,omitempty"`
	Streams              []StreamResults `json:"streams"`
	ServerOutputText     string          `json:"server_output_text,omitempty"`
	ServerOutputJSON     json.RawMessage `json:"server_output_json,omitempty"`
	Goperf               *ResultsExt     `json:"goperf,omitempty"` // goperf's own figures
}

// ResultsExt is what a goperf peer adds to its results: the figures
// iperf3's keys cannot carry.
type ResultsExt struct {
	V       int         `json:"v"`
	Streams []StreamExt `json:"streams"`
	// CPUWaited is the time the process's threads waited for a CPU
	// during the test, in percent of one CPU (engine.CPUUtil.Waited).
	CPUWaited float64 `json:"cpu_waited,omitempty"`
	// CPUPolled is the part of cpu_util_total the receivers spent polling
	// an empty socket before they slept, percent (engine.CPUUtil.Polled).
	CPUPolled float64 `json:"cpu_polled,omitempty"`
}

// StreamExt is one stream's goperf figures. UDP senders fill Sent; UDP
// receivers the rest of the counts.
type StreamExt struct {
	ID   int    `json:"id"`
	Sent uint64 `json:"sent,omitempty"` // datagrams sent in all, the omit period included
	// OmittedBytes is what a TCP stream moved during the omit period (-O),
	// by this end's clock; Bytes in the iperf3 keys is what it moved
	// after. The peer counts the sender from the receiver's boundary.
	OmittedBytes uint64 `json:"omitted_bytes,omitempty"`
	Boundary     uint64 `json:"boundary,omitempty"` // receiver: sequence numbers up to here were omitted
	Received     uint64 `json:"received,omitempty"` // distinct datagrams received after the boundary
	Highest      uint64 `json:"highest,omitempty"`  // highest sequence number received
	OutOfOrder   uint64 `json:"out_of_order,omitempty"`
	Duplicates   uint64 `json:"duplicates,omitempty"`
	Late         uint64 `json:"late,omitempty"`         // too old to tell from a duplicate; counted lost
	SocketDrops  *int64 `json:"socket_drops,omitempty"` // SO_RXQ_OVFL during the test, when the kernel reports it
	// DropsEstimated says SocketDrops was scaled from coalesced (GRO) buffers.
	DropsEstimated bool   `json:"socket_drops_estimated,omitempty"`
	Syscalls       uint64 `json:"syscalls,omitempty"`
	Batch          int    `json:"batch,omitempty"`
	GSO            bool   `json:"gso,omitempty"`
	GRO            bool   `json:"gro,omitempty"`
	// A TCP sender's TCP_INFO limits at the end, µs (SenderLimits).
	BusyUs          uint64 `json:"busy_us,omitempty"`
	RwndLimitedUs   uint64 `json:"rwnd_limited_us,omitempty"`
	SndbufLimitedUs uint64 `json:"sndbuf_limited_us,omitempty"`
	MinRTTUs        uint64 `json:"min_rtt_us,omitempty"`
	MeanRTTUs       uint64 `json:"mean_rtt_us,omitempty"`
	DSACKDups       uint64 `json:"dsack_dups,omitempty"` // retransmits the receiver had already
	// PacerLateUs: a paced sender's time forfeited to late wake-ups, µs.
	PacerLateUs uint64 `json:"pacer_late_us,omitempty"`
	// SendBlockedUs: a paced UDP sender's time in sends that waited, µs.
	SendBlockedUs uint64 `json:"send_blocked_us,omitempty"`
}

// StreamResults is one stream's line in Results.
type StreamResults struct {
	ID             Int     `json:"id"`
	Bytes          Int     `json:"bytes"`       // sent or received after the omit period
	Retransmits    Int     `json:"retransmits"` // TCP sender with counts; else -1
	Jitter         float64 `json:"jitter"`      // seconds (UDP receiver)
	Errors         Int     `json:"errors"`      // UDP datagrams lost
	OmittedErrors  Int     `json:"omitted_errors"`
	Packets        Int     `json:"packets"` // UDP datagrams sent, or highest sequence received
	OmittedPackets Int     `json:"omitted_packets"`
	StartTime      float64 `json:"start_time"` // seconds, always 0
	EndTime        float64 `json:"end_time"`   // seconds from stream start to test end
}

// Retransmit reporting, the values of Results.SenderHasRetransmits.
const (
	RetransmitsNone    = -1 // the reporting side only receives
	RetransmitsUnknown = 0  // it sends but has no counts (UDP, or no TCP_INFO)
	RetransmitsKnown   = 1  // it sends TCP and reports kernel counts
)

var (
	requiredResultKeys = []string{"cpu_util_total", "cpu_util_user", "cpu_util_system", "sender_has_retransmits", "streams"}
	requiredStreamKeys = []string{"id", "bytes", "retransmits", "jitter", "errors", "packets"}
)

// DecodeResults parses a results document and checks the keys stock iperf3
// requires, so that a document goperf accepts is one iperf3 would accept.
func DecodeResults(b []byte) (*Results, error) {
	var keys struct {
		Top     map[string]json.RawMessage
		Streams []map[string]json.RawMessage
	}
	if err := json.Unmarshal(b, &keys.Top); err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	if err := requireKeys(keys.Top, requiredResultKeys, "results"); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(lookup(keys.Top, "streams"), &keys.Streams); err != nil {
		return nil, fmt.Errorf("results: streams: %w", err)
	}
	for i, s := range keys.Streams {
		if err := requireKeys(s, requiredStreamKeys, fmt.Sprintf("results: stream %d", i)); err != nil {
			return nil, err
		}
		if (lookup(s, "omitted_errors") == nil) != (lookup(s, "omitted_packets") == nil) {
			return nil, fmt.Errorf("results: stream %d: omitted_errors and omitted_packets come together", i)
		}
	}
	var r Results
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	return &r, nil
}

// requireKeys checks that every key is in m once, matching
// case-insensitively. A key spelled twice in different cases is refused:
// lookup would check the exact spelling while encoding/json keeps the last
// one, and iperf3 the first, so the three could read different values.
func requireKeys(m map[string]json.RawMessage, keys []string, what string) error {
	for _, k := range keys {
		n := 0
		for mk := range m {
			if strings.EqualFold(mk, k) {
				n++
			}
		}
		switch {
		case n == 0:
			return fmt.Errorf("%s: missing %q", what, k)
		case n > 1:
			return fmt.Errorf("%s: %q appears %d times in different cases", what, k, n)
		}
	}
	return nil
}

// lookup returns m's value for key, preferring an exact match and falling
// back to a case-insensitive one, as encoding/json does.
func lookup(m map[string]json.RawMessage, key string) json.RawMessage {
	if v, ok := m[key]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}
