package echo

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

// Dial connects to the server and prints the seed's line, such as
// "Dialing localhost:5001 using tcp", to status.
func Dial(ctx context.Context, cfg ClientConfig, status io.Writer) (net.Conn, error) {
	cfg.defaults()
	fmt.Fprintf(status, "Dialing %s using %s\n", cfg.addr(), network(cfg.UDP))
	return dial(ctx, &cfg)
}

func dial(ctx context.Context, cfg *ClientConfig) (net.Conn, error) {
	d := net.Dialer{Timeout: 10 * time.Second}
	c, err := d.DialContext(ctx, network(cfg.UDP), cfg.addr())
	if err != nil {
		return nil, fmt.Errorf("connect: %w", unwrapOp(err))
	}
	return c, nil
}

// EchoLines sends in to the server a piece at a time and writes each
// echo to out, until in ends. A piece is a line, or Buffer bytes of a
// longer one: over TCP the pieces stream and the echo comes back whole;
// over UDP each piece is one datagram, so a long line travels as several.
// A UDP echo that does not come within Timeout is an error.
func EchoLines(ctx context.Context, conn net.Conn, cfg ClientConfig, in io.Reader, out io.Writer) error {
	cfg.defaults()
	size := cfg.Buffer
	if cfg.UDP {
		size = min(size, MaxDatagram)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	r := bufio.NewReaderSize(in, size)
	echo := make([]byte, max(size, 1<<16))
	for {
		piece, err := r.ReadSlice('\n')
		if len(piece) > 0 {
			if perr := echoPiece(conn, &cfg, piece, echo, out); perr != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return perr
			}
		}
		switch {
		case err == nil, errors.Is(err, bufio.ErrBufferFull):
		case errors.Is(err, io.EOF):
			return nil
		default:
			return fmt.Errorf("reading input: %w", err)
		}
	}
}

// echoPiece sends one piece and copies its echo to out.
func echoPiece(conn net.Conn, cfg *ClientConfig, piece, echo []byte, out io.Writer) error {
	if _, err := conn.Write(piece); err != nil {
		return fmt.Errorf("send: %w", unwrapOp(err))
	}
	if cfg.UDP {
		_ = conn.SetReadDeadline(time.Now().Add(cfg.Timeout))
		n, err := conn.Read(echo)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("no echo within %v (datagram lost, or no server on UDP port %d)", cfg.Timeout, cfg.Port)
		}
		if err != nil {
			return fmt.Errorf("receive: %w", unwrapOp(err))
		}
		_, err = out.Write(echo[:n])
		return err
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(conn, echo[:len(piece)]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return errors.New("the server closed the connection before echoing everything")
		}
		return fmt.Errorf("receive: %w", unwrapOp(err))
	}
	_, err := out.Write(echo[:len(piece)])
	return err
}

// unwrapOp drops net.OpError's prefix of addresses, which the callers'
// messages already give.
func unwrapOp(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	return err
}
