package engine

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/goperf/goperf/engine/output"
	"github.com/goperf/goperf/engine/wire"
)

// Errors a caller may want to tell apart.
var (
	// ErrInterrupted reports a test ended early by its context (a signal);
	// goecho's runs return the same error.
	ErrInterrupted = output.ErrInterrupted
	// ErrServerBusy reports ACCESS_DENIED from the server.
	ErrServerBusy = errors.New("the server is busy running a test (try again later)")
	// ErrControlClosed reports a peer that closed the control connection
	// before the test finished.
	ErrControlClosed = errors.New("control connection closed unexpectedly")
	// ErrServerTerminated reports a server that ended the test (SERVER_TERMINATE).
	ErrServerTerminated = errors.New("the server has terminated the test")
	// ErrClientTerminated reports a client that ended the test (CLIENT_TERMINATE).
	ErrClientTerminated = errors.New("the client has terminated the test")
)

// specError is a parameter problem with the iperf3 code a server reports.
type specError struct {
	code  wire.Code
	errno syscall.Errno // sent with the code; 0 for most
	msg   string
}

func (e *specError) Error() string { return e.msg }

// IsLengthError reports whether err refuses a test's buffer or datagram
// length.
func IsLengthError(err error) bool {
	var se *specError
	return errors.As(err, &se) && (se.code == wire.CodeBlockSize || se.code == wire.CodeUDPBlockSize)
}

func specErr(code wire.Code, format string, args ...any) error {
	return &specError{code: code, msg: fmt.Sprintf(format, args...)}
}

// ProtocolError reports a control message that broke iperf3's protocol.
type ProtocolError struct {
	Step string // what the reader was doing
	Err  error
}

func (e *ProtocolError) Error() string { return e.Step + ": " + e.Err.Error() }

func (e *ProtocolError) Unwrap() error { return e.Err }
