package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"syscall"
)

// ErrAccessDenied is the ACCESS_DENIED state: the server is busy, or a data
// stream carried a cookie it does not know.
var ErrAccessDenied = errors.New("the server is busy running a test. try again later")

// Code is an iperf3 error number (i_errno) as carried by SERVER_ERROR. Codes
// never change meaning across iperf3 versions.
type Code int32

// The codes goperf sends or explains. iperf3 defines more; those print by
// number.
const (
	CodeDuration           Code = 5   // test duration out of range
	CodeNumStreams         Code = 6   // invalid number of parallel streams
	CodeBlockSize          Code = 7   // block size too large
	CodeBufSize            Code = 8   // socket buffer size too large
	CodeMSS                Code = 10  // TCP MSS too large
	CodeNoSendfile         Code = 11  // no sendfile (-Z) on this OS
	CodeOmit               Code = 12  // bogus omit
	CodeFile               Code = 14  // -F file could not be opened
	CodeBurst              Code = 15  // invalid burst count
	CodeUDPBlockSize       Code = 20  // UDP block size invalid
	CodeBadTOS             Code = 21  // bad TOS value
	CodeTotalRate          Code = 27  // bandwidth over the server's limit
	CodeUDPFile            Code = 34  // -F with UDP
	CodeMaxDuration        Code = 37  // duration over the server's limit
	CodeSkipRxCopy         Code = 39  // no --skip-rx-copy on this OS (iperf3 3.22)
	CodeNewTest            Code = 100 // unable to create a new test
	CodeRecvCookie         Code = 106 // unable to receive cookie
	CodeCtrlClose          Code = 109 // control socket closed unexpectedly
	CodeMessage            Code = 110 // unknown control message
	CodeRecvParams         Code = 114 // unable to receive parameters
	CodeRecvResults        Code = 117 // unable to receive results
	CodeClientTerm         Code = 119 // the client has terminated
	CodeServerTerm         Code = 120 // the server has terminated
	CodeAccessDenied       Code = 121 // server busy
	CodeSetFlow            Code = 127 // unable to set IPv6 flow label
	CodeAffinity           Code = 132 // unable to set CPU affinity
	CodeSetCongestion      Code = 134 // unable to set TCP_CONGESTION
	CodeSetBuf2            Code = 141 // socket buffer size not set correctly
	CodeAuthTest           Code = 142 // test authorization failed
	CodeNoMsg              Code = 144 // idle timeout for receiving data
	CodeTestDurationExpire Code = 160 // server test duration expired
	CodeStreamListen       Code = 202 // unable to start stream listener
	CodeStreamConnect      Code = 203 // unable to connect stream
	CodeStreamAccept       Code = 204 // unable to accept stream connection
	CodeStreamWrite        Code = 205 // unable to write to stream socket
	CodeStreamRead         Code = 206 // unable to read from stream socket
	CodeStreamID           Code = 208 // stream has an invalid id
)

// codeText is what stock iperf3 prints for each code.
var codeText = map[Code]string{
	CodeDuration:           "test duration valid values are 0 to 86400 seconds",
	CodeNumStreams:         "invalid number of parallel streams (min = 1, max = 128)",
	CodeBlockSize:          "block size too large (maximum = 1048576 bytes)",
	CodeBufSize:            "socket buffer size too large",
	CodeMSS:                "TCP MSS too large",
	CodeNoSendfile:         "this OS does not support sendfile",
	CodeOmit:               "bogus value for --omit",
	CodeFile:               "unable to open -F file",
	CodeUDPFile:            "cannot transfer file using UDP",
	CodeBurst:              "invalid burst count",
	CodeUDPBlockSize:       "block size invalid",
	CodeBadTOS:             "bad TOS value",
	CodeTotalRate:          "total required bandwidth is larger than server limit",
	CodeMaxDuration:        "client's requested duration exceeds the server's maximum permitted limit",
	CodeSkipRxCopy:         "this OS does not support --skip-rx-copy",
	CodeSetFlow:            "unable to set IPv6 flow label",
	CodeAffinity:           "unable to set CPU affinity",
	CodeNewTest:            "unable to create a new test",
	CodeRecvCookie:         "unable to receive cookie at server",
	CodeCtrlClose:          "control socket has closed unexpectedly",
	CodeMessage:            "received an unknown control message",
	CodeRecvParams:         "unable to receive parameters from client",
	CodeRecvResults:        "unable to receive results",
	CodeClientTerm:         "the client has terminated",
	CodeServerTerm:         "the server has terminated",
	CodeAccessDenied:       "the server is busy running a test. try again later",
	CodeSetCongestion:      "unable to set TCP_CONGESTION",
	CodeSetBuf2:            "socket buffer size not set correctly",
	CodeAuthTest:           "test authorization failed",
	CodeNoMsg:              "idle timeout for receiving data",
	CodeTestDurationExpire: "server test duration expired",
	CodeStreamListen:       "unable to start stream listener",
	CodeStreamConnect:      "unable to connect stream",
	CodeStreamAccept:       "unable to accept stream connection",
	CodeStreamWrite:        "unable to write to stream socket",
	CodeStreamRead:         "unable to read from stream socket",
	CodeStreamID:           "stream has an invalid id",
}

// String returns the text stock iperf3 prints for c.
func (c Code) String() string {
	if t, ok := codeText[c]; ok {
		return t
	}
	return fmt.Sprintf("iperf3 error %d", int32(c))
}

// ServerError is a SERVER_ERROR message: an iperf3 error code and an errno
// (0 when none).
type ServerError struct {
	Code  Code
	Errno int32
}

func (e *ServerError) Error() string {
	if e.Errno != 0 {
		return fmt.Sprintf("server error: %s: %s", e.Code, syscall.Errno(e.Errno))
	}
	return "server error: " + e.Code.String()
}

// Bytes returns the nine bytes of e on the wire: the SERVER_ERROR state,
// then the code and errno as big-endian int32.
func (e *ServerError) Bytes() []byte {
	var b [9]byte
	b[0] = 0xfe // ServerErrorCode as an unsigned byte
	binary.BigEndian.PutUint32(b[1:], uint32(e.Code))
	binary.BigEndian.PutUint32(b[5:], uint32(e.Errno))
	return b[:]
}

// ReadServerError reads the eight bytes that follow a SERVER_ERROR state and
// returns them as a *ServerError, or the read error.
func ReadServerError(r io.Reader) error {
	return readServerError(r)
}

func readServerError(r io.Reader) error {
	var b [8]byte
	if _, err := io.ReadFull(r, b[:4]); err != nil {
		return fmt.Errorf("reading server error: %w", unexpectedEOF(err))
	}
	e := &ServerError{Code: Code(int32(binary.BigEndian.Uint32(b[:4])))}
	// A stock server may close after the code: iperf3 3.12 sends no errno
	// after a refused authentication.
	if _, err := io.ReadFull(r, b[4:]); err == nil {
		e.Errno = int32(binary.BigEndian.Uint32(b[4:]))
	}
	return e
}
