package wire

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Size limits for JSON documents on the control connection, in bytes.
// iperf3 3.18+ refuses parameters over 8 KiB and sets no limit on results.
const (
	MaxParamsLen = 8192
	// MaxClientResultsLen bounds what a server reads: a client's results
	// carry one short object per stream, about 300 bytes, and at most 256
	// streams.
	MaxClientResultsLen = 1 << 20
	// MaxResultsLen bounds what a client reads: a server's results may
	// carry its whole report of a long test (--get-server-output).
	MaxResultsLen = 16 << 20
)

// eagerLen is the largest body ReadJSON allocates before it arrives;
// beyond it the buffer grows with what comes, so a length prefix alone
// costs the reader nothing.
const eagerLen = 64 << 10

// ErrEmpty reports a JSON frame of length zero, which iperf3 3.18+ refuse.
var ErrEmpty = errors.New("empty JSON message")

// TooLargeError reports a JSON frame whose length prefix exceeds the limit.
// The body is not read.
type TooLargeError struct {
	Len, Max uint32
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("JSON message of %d bytes exceeds the limit of %d", e.Len, e.Max)
}

// ReadJSON reads one length-prefixed JSON document of at most max bytes.
//
// A peer that meant to send a document may send a state byte instead: a
// server that fails while the client waits for its results writes
// SERVER_ERROR, and a busy one ACCESS_DENIED. A real length prefix below
// 16 MiB starts with a zero byte, so ReadJSON recognises those states by
// their first byte and returns them as *ServerError or ErrAccessDenied.
func ReadJSON(r io.Reader, max uint32) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:1]); err != nil {
		return nil, err
	}
	switch State(int8(hdr[0])) {
	case ServerErrorCode:
		return nil, readServerError(r)
	case AccessDenied:
		return nil, ErrAccessDenied
	}
	if _, err := io.ReadFull(r, hdr[1:]); err != nil {
		return nil, unexpectedEOF(err)
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n == 0 {
		return nil, ErrEmpty
	}
	if n > max {
		return nil, &TooLargeError{Len: n, Max: max}
	}
	return readBody(r, n)
}

// readBody reads exactly n bytes.
func readBody(r io.Reader, n uint32) ([]byte, error) {
	if n <= eagerLen {
		body := make([]byte, n)
		if _, err := io.ReadFull(r, body); err != nil {
			return nil, unexpectedEOF(err)
		}
		return body, nil
	}
	body, err := io.ReadAll(io.LimitReader(r, int64(n)))
	if err != nil {
		return nil, err
	}
	if len(body) < int(n) {
		return nil, io.ErrUnexpectedEOF
	}
	return body, nil
}

// WriteJSON marshals v and writes it with its length prefix in one write.
func WriteJSON(w io.Writer, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return WriteFrame(w, body)
}

// WriteFrame writes an already encoded JSON document with its length prefix
// in one write.
func WriteFrame(w io.Writer, body []byte) error {
	buf := make([]byte, 4+len(body))
	binary.BigEndian.PutUint32(buf, uint32(len(body)))
	copy(buf[4:], body)
	_, err := w.Write(buf)
	return err
}

// unexpectedEOF turns an EOF in the middle of a frame into
// io.ErrUnexpectedEOF.
func unexpectedEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
