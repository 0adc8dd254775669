package output

import (
	"bytes"
	"io"
	"sync"
	"time"
)

// DefaultTimestamps is iperf3's --timestamps format: the C locale's date
// and time, and a space.
const DefaultTimestamps = "%c "

// Stamped returns a writer that puts the time, formatted by Strftime with
// format, before every line written to w, as iperf3's --timestamps does.
// now is the clock (time.Now outside tests).
func Stamped(w io.Writer, format string, now func() time.Time) io.Writer {
	return Prefixed(w, func() string { return Strftime(format, now()) })
}

// Prefixed returns a writer that puts prefix() before every line written
// to w (iperf3's --timestamps, and -T's title). Writes may split or join
// lines; the prefix goes where a line starts. It is safe for concurrent
// writers, each write kept whole.
func Prefixed(w io.Writer, prefix func() string) io.Writer {
	return &stamper{w: w, prefix: prefix}
}

type stamper struct {
	mu      sync.Mutex
	w       io.Writer
	prefix  func() string
	midLine bool
	buf     []byte
}

func (s *stamper) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf = s.buf[:0]
	for rest := p; len(rest) > 0; {
		if !s.midLine {
			s.buf = append(s.buf, s.prefix()...)
		}
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			s.buf, s.midLine = append(s.buf, rest...), true
			break
		}
		s.buf, s.midLine, rest = append(s.buf, rest[:i+1]...), false, rest[i+1:]
	}
	if _, err := s.w.Write(s.buf); err != nil {
		return 0, err
	}
	return len(p), nil
}
