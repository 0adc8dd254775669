package engine

import (
	"github.com/goperf/goperf/engine/output"
	"github.com/goperf/goperf/engine/transport"
)

// Where and how a test reports, from the output leaf that goecho shares.
type (
	// Output is where a test reports: a writer in a Format, and a Logger.
	Output = output.Output
	// Format selects how reports are written.
	Format = output.Format
	// Logger receives diagnostics; a nil function discards them.
	Logger = output.Logger
)

// The formats.
const (
	Text       = output.Text       // iperf3's human tables
	JSON       = output.JSON       // one iperf3 -J document at the end
	JSONStream = output.JSONStream // one JSON object per line (--json-stream)
)

// Proto is the transport a test runs over, from the transport leaf.
type Proto = transport.Proto

// The transports.
const (
	TCP = transport.TCP
	UDP = transport.UDP
)
