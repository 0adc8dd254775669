package engine

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/goperf/goperf/engine/wire"
)

// A disk file (iperf3's -F) stands in for a TCP stream's data on the end
// that names it: a sender sends the file's bytes, block by block, and
// stops at its end (a client with no -t, -n or -k sends it once: the
// caller sets Bytes to its size); a receiver writes what it reads into
// the file, truncated first. Every stream opens the file for itself, as
// iperf3's do. The file is read into and written from the stream's one
// buffer, so a step still allocates nothing.

// diskFile is one stream's file.
type diskFile struct {
	f       *os.File
	name    string
	pending []byte // read from the file, not yet sent: the rest of the buffer
	err     error  // why reading or writing stopped
	eof     func() // a sender at the end of the file ends the test (client)
	final   int64  // the size when closed; -1 while open
}

// checkFile reports what keeps the file name from standing in for
// spec's data.
func checkFile(spec *Spec, name string) error {
	switch {
	case name == "":
		return nil
	case spec.Proto == UDP:
		return specErr(wire.CodeUDPFile, "cannot transfer file using UDP")
	case spec.ZeroCopy:
		return specErr(wire.CodeFile, "-F cannot go with -Z: zero copy sends one fixed block")
	case spec.SkipRxCopy:
		return specErr(wire.CodeFile, "-F cannot go with --skip-rx-copy: the kernel discards what the file would get")
	}
	return nil
}

// openDiskFile opens name for a stream: to read for a sender, to write,
// truncated, for a receiver.
func openDiskFile(name string, sender bool) (*diskFile, error) {
	flag := os.O_RDONLY
	if !sender {
		flag = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(name, flag, 0o600)
	if err != nil {
		return nil, specErr(wire.CodeFile, "unable to open -F file: %v", err)
	}
	return &diskFile{f: f, name: name, eof: func() {}, final: -1}, nil
}

// block returns what to send next: the rest of the last block read, or
// the next one read from the file into buf; empty at the end of the file
// or on a read error (d.err).
func (d *diskFile) block(buf []byte) []byte {
	if len(d.pending) > 0 {
		return d.pending
	}
	n, err := d.f.Read(buf)
	switch {
	case n > 0:
		d.pending = buf[:n]
	case errors.Is(err, io.EOF):
		d.err = errSpent
	case err != nil:
		d.err = fmt.Errorf("reading %s: %w", d.name, err)
	}
	return d.pending
}

// sent drops n bytes the kernel took from the pending block.
func (d *diskFile) sent(n int) {
	if n > 0 {
		d.pending = d.pending[min(n, len(d.pending)):]
	}
}

// write puts received bytes into the file.
func (d *diskFile) write(p []byte) error {
	if _, err := d.f.Write(p); err != nil {
		return fmt.Errorf("writing %s: %w", d.name, err)
	}
	return nil
}

// size is the file's size, -1 if unknown.
func (d *diskFile) size() int64 {
	if d.final >= 0 {
		return d.final
	}
	fi, err := d.f.Stat()
	if err != nil {
		return -1
	}
	return fi.Size()
}

// close closes the file, keeping its size.
func (d *diskFile) close() error {
	d.final = d.size()
	return d.f.Close()
}

// setFile opens the stream's file, when its end names one, once the
// stream's direction is known.
func (s *stream) setFile(name string) error {
	if name == "" || s.udp != nil {
		return nil
	}
	d, err := openDiskFile(name, s.sender)
	if err != nil {
		return err
	}
	s.file = d
	return nil
}

// nextBlock is what a sender writes next: its buffer, or its file's next
// block. ok is false at the end of the file: the stream's exit says why,
// and a client's test ends.
func (s *stream) nextBlock() (p []byte, ok bool) {
	if s.file == nil {
		return s.buf, true
	}
	if p = s.file.block(s.buf); len(p) > 0 {
		return p, true
	}
	s.exit = s.file.err
	s.file.eof()
	return nil, false
}

// took tells a sender's file that the kernel took n bytes of its block.
func (s *stream) took(n int) {
	if s.file != nil {
		s.file.sent(n)
	}
}

// stored writes what a receiver just read, p, into its file, if it has one.
func (s *stream) stored(p []byte) error {
	if s.file == nil || len(p) == 0 {
		return nil
	}
	return s.file.write(p)
}

// closeFile closes the stream's file.
func (s *stream) closeFile() {
	if s.file != nil {
		_ = s.file.close()
	}
}
