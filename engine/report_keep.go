package engine

import (
	"bytes"
	"fmt"
)

// A server keeps what it reports of a test until the test ends: a -J
// document is printed whole at the end, and --get-server-output sends the
// document or the text to the client with the results. Both grow with the
// test's length and streams (a -P 128 --bidir test adds about 80 KB of
// JSON a second), so a server keeps at most these, whatever the test:
// within the 16 MiB of results a client accepts (wire.MaxResultsLen), with
// room for the rest of the document and for escaping. What is not kept is
// counted and said.
const (
	maxKeptIntervals = 8 << 20 // bytes of intervals in a server's -J document
	maxKeptText      = 4 << 20 // bytes of text a server captures for the client
)

// keeper counts what a report keeps, up to limit bytes (0: no limit).
type keeper struct {
	limit   int
	size    int
	dropped int // pieces not kept
}

// keep reports whether a piece of n bytes fits, and counts it either way.
func (k *keeper) keep(n int) bool {
	if k.limit > 0 && k.size+n > k.limit {
		k.dropped++
		return false
	}
	k.size += n
	return true
}

// cappedText is a server's captured text output: the first maxKeptText
// bytes, whole lines, and a last line that says what was left out.
type cappedText struct {
	buf     bytes.Buffer
	keeper  keeper
	dropped int // bytes
}

func newCappedText() *cappedText { return &cappedText{keeper: keeper{limit: maxKeptText}} }

// Write keeps p if it fits, else counts it; it never fails, so the server's
// own output goes on.
func (c *cappedText) Write(p []byte) (int, error) {
	if c.keeper.keep(len(p)) {
		c.buf.Write(p)
	} else {
		c.dropped += len(p)
	}
	return len(p), nil
}

// String returns what was kept, and a note of what was not.
func (c *cappedText) String() string {
	if c.dropped == 0 {
		return c.buf.String()
	}
	return c.buf.String() + fmt.Sprintf("goperf: %d bytes of this server's output after the first %d were not kept\n",
		c.dropped, maxKeptText)
}
