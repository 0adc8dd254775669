package wire

import (
	"fmt"
	"io"
)

// State is a one-byte control message. Values are iperf3's; a few are
// defined upstream but never sent and are left out here.
type State int8

// The states that travel on the control connection.
const (
	TestStart       State = 1  // server: streams complete, start timers
	TestRunning     State = 2  // server: data may flow
	TestEnd         State = 4  // client: end condition reached
	ParamExchange   State = 9  // server: send your parameters
	CreateStreams   State = 10 // server: open your data streams
	ServerTerminate State = 11 // server: interrupted
	ClientTerminate State = 12 // client: interrupted
	ExchangeResults State = 13 // server: results swap follows
	DisplayResults  State = 14 // server: results swap done
	IperfDone       State = 16 // client: final acknowledgement
	AccessDenied    State = -1 // server: busy, or a stream with a foreign cookie
	ServerErrorCode State = -2 // server: followed by error code and errno

	// GoperfHello is goperf's own state: a goperf server sends it, followed
	// by a framed Hello document, right after reading parameters that carry
	// the "goperf" extension. Stock clients never see it (they abort on
	// unknown states), because they never send the extension.
	GoperfHello State = 64
)

var stateNames = map[State]string{
	TestStart:       "TEST_START",
	TestRunning:     "TEST_RUNNING",
	TestEnd:         "TEST_END",
	ParamExchange:   "PARAM_EXCHANGE",
	CreateStreams:   "CREATE_STREAMS",
	ServerTerminate: "SERVER_TERMINATE",
	ClientTerminate: "CLIENT_TERMINATE",
	ExchangeResults: "EXCHANGE_RESULTS",
	DisplayResults:  "DISPLAY_RESULTS",
	IperfDone:       "IPERF_DONE",
	AccessDenied:    "ACCESS_DENIED",
	ServerErrorCode: "SERVER_ERROR",
	GoperfHello:     "GOPERF_HELLO",
}

// String returns iperf3's name for s, or its number when it has none.
func (s State) String() string {
	if n, ok := stateNames[s]; ok {
		return n
	}
	return fmt.Sprintf("state(%d)", int8(s))
}

// Byte returns s as it travels on the wire.
func (s State) Byte() byte { return byte(s) }

// ReadState reads one state byte.
func ReadState(r io.Reader) (State, error) {
	var b [1]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return 0, err
	}
	return State(int8(b[0])), nil
}

// WriteState writes one state byte.
func WriteState(w io.Writer, s State) error {
	_, err := w.Write([]byte{s.Byte()})
	return err
}
