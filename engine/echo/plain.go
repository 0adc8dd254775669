package echo

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/goperf/goperf/engine/output"
	"github.com/goperf/goperf/engine/transport"
)

// Plain dials the server, then sends each line read from in and writes its
// echo to out.W, until in ends (nil) or ctx does (output.ErrInterrupted).
// A line longer than cfg.Buffer goes in pieces of cfg.Buffer bytes, one at
// a time: over TCP they are one stream; over UDP each is a datagram, and
// out.Log says so once per line.
func Plain(ctx context.Context, cfg ClientConfig, in io.Reader, out output.Output) error {
	cfg.defaults()
	announce(&cfg, out)
	conn, err := dial(ctx, &cfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	p := &plain{cfg: &cfg, conn: conn, out: out, echo: make([]byte, cfg.Buffer)}
	inner, cancel := context.WithCancel(ctx) // ends the input's reader with the session
	defer cancel()
	err = p.run(inner, readPieces(inner, in, cfg.Buffer))
	if ctx.Err() != nil {
		return output.ErrInterrupted
	}
	return err
}

// plain is one plain-mode session.
type plain struct {
	cfg  *ClientConfig
	conn net.Conn
	out  output.Output
	echo []byte
}

// piece is at most one buffer of a line; more says the line goes on.
type piece struct {
	data []byte
	more bool
	err  error // reading the input failed; data is empty
}

// run echoes every piece until the input ends.
func (p *plain) run(ctx context.Context, pieces <-chan piece) error {
	long := false // within a line longer than the buffer
	for {
		var pc piece
		var ok bool
		select {
		case pc, ok = <-pieces:
		case <-ctx.Done():
			return ctx.Err()
		}
		switch {
		case !ok:
			return nil
		case pc.err != nil:
			return fmt.Errorf("reading input: %w", pc.err)
		}
		if pc.more && !long && p.cfg.Proto == UDP {
			p.out.Log.Error("line longer than the %d-byte buffer (-b): sending it as several datagrams of at most %d bytes, each after the previous echo", p.cfg.Buffer, p.cfg.Buffer)
		}
		long = pc.more
		if err := p.roundTrip(pc.data); err != nil {
			return err
		}
	}
}

// roundTrip sends one piece and writes its echo out.
func (p *plain) roundTrip(data []byte) error {
	if _, err := p.conn.Write(data); err != nil {
		return p.ioError("send", err)
	}
	got, err := p.receive(len(data))
	if p.cfg.Proto == TCP && !matches(got, data) && isBusy(got) {
		return refusal(p.conn, got)
	}
	if _, werr := p.out.W.Write(got); werr != nil {
		return werr
	}
	if err != nil {
		return err
	}
	if !matches(got, data) {
		p.out.Log.Error("the echo of %d bytes differs from what was sent", len(data))
	}
	return nil
}

// receive reads the echo of n bytes: n bytes of the stream (TCP) or one
// datagram (UDP).
func (p *plain) receive(n int) ([]byte, error) {
	if p.cfg.Proto == UDP {
		if err := p.conn.SetReadDeadline(time.Now().Add(p.cfg.LostTimeout)); err != nil {
			return nil, err
		}
		n, err := p.conn.Read(p.echo)
		if err != nil {
			return nil, p.ioError("receive", err)
		}
		return p.echo[:n], nil
	}
	if err := p.conn.SetReadDeadline(time.Now().Add(p.cfg.StallTimeout)); err != nil {
		return nil, err
	}
	got, err := io.ReadFull(p.conn, p.echo[:n])
	if err != nil {
		return p.echo[:got], p.ioError("receive", err)
	}
	return p.echo[:n], nil
}

// ioError explains a failed send or receive.
func (p *plain) ioError(op string, err error) error {
	switch {
	case isTimeout(err) && p.cfg.Proto == UDP:
		return fmt.Errorf("no echo from %s within %v (datagram lost, or no server?)", p.cfg.address(), p.cfg.LostTimeout)
	case isTimeout(err):
		return fmt.Errorf("no echo from %s within %v", p.cfg.address(), p.cfg.StallTimeout)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s closed the connection", p.cfg.address())
	}
	return peerError(p.cfg, fmt.Errorf("%s %s: %w", op, p.cfg.address(), transport.Cause(err)), err)
}

// readPieces reads in on its own goroutine, so that a signal ends a client
// blocked on a terminal, and sends each line in pieces of at most size
// bytes. The channel closes at the end of the input or of ctx.
func readPieces(ctx context.Context, in io.Reader, size int) <-chan piece {
	ch := make(chan piece)
	go func() {
		defer close(ch)
		r := bufio.NewReaderSize(in, size)
		for {
			line, err := r.ReadSlice('\n')
			more := errors.Is(err, bufio.ErrBufferFull)
			for len(line) > 0 {
				n := min(len(line), size)
				pc := piece{data: append([]byte(nil), line[:n]...), more: more || n < len(line)}
				line = line[n:]
				select {
				case ch <- pc:
				case <-ctx.Done():
					return
				}
			}
			if err != nil && !more {
				if err != io.EOF {
					select {
					case ch <- piece{err: err}:
					case <-ctx.Done():
					}
				}
				return
			}
		}
	}()
	return ch
}
