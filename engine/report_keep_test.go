package engine

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"
)

// TestServerDocumentBounded: a server's -J document keeps intervals up to
// maxKeptIntervals bytes and counts the rest, however long the test; a
// client's keeps them all.
func TestServerDocumentBounded(t *testing.T) {
	streams := make([]IntervalStream, 2*MaxStreams)
	for i := range streams {
		streams[i] = IntervalStream{ID: i + 1, Socket: i + 5, Sender: i%2 == 0, Bytes: 1 << 20}
	}
	spec := &Spec{Streams: MaxStreams, Direction: Bidir, Length: DefaultTCPLength}
	feed := func(client bool, n int) *jsonReporter {
		j := newJSONReporter(Output{W: io.Discard, Format: JSON}, client, false, thisHost(false))
		j.info = &startInfo{spec: spec}
		for i := range n {
			j.interval(&Interval{Start: time.Duration(i) * time.Second, End: time.Duration(i+1) * time.Second, Streams: streams})
		}
		return j
	}
	one, _ := json.Marshal(newJSONInterval(&Interval{End: time.Second, Streams: streams}, spec))
	n := 2 * maxKeptIntervals / len(one) // twice what fits
	srv := feed(false, n)
	b, _ := json.Marshal(srv.doc.Intervals)
	t.Logf("%d intervals of %d bytes: the server kept %d (%d bytes), dropped %d", n, len(one), len(srv.doc.Intervals), len(b), srv.intervals.dropped)
	switch {
	case len(b) > maxKeptIntervals+len(one):
		t.Errorf("the server's intervals take %d bytes, the limit is %d", len(b), maxKeptIntervals)
	case len(srv.doc.Intervals)+srv.intervals.dropped != n || srv.intervals.dropped == 0:
		t.Errorf("kept %d and dropped %d of %d", len(srv.doc.Intervals), srv.intervals.dropped, n)
	case srv.doc.Goperf == nil || srv.doc.Goperf.IntervalsDropped != srv.intervals.dropped:
		t.Errorf("the document does not say what it dropped: %+v", srv.doc.Goperf)
	}
	if cli := feed(true, 50); len(cli.doc.Intervals) != 50 || cli.doc.Goperf != nil {
		t.Errorf("a client kept %d of 50 intervals", len(cli.doc.Intervals))
	}
}

// TestCappedText: a server's captured text keeps its first maxKeptText
// bytes in whole writes and says how much it left out.
func TestCappedText(t *testing.T) {
	c := newCappedText()
	line := strings.Repeat("x", 99) + "\n"
	n := 2 * maxKeptText / len(line)
	for range n {
		if k, err := c.Write([]byte(line)); k != len(line) || err != nil {
			t.Fatalf("Write: %d, %v", k, err)
		}
	}
	s := c.String()
	kept := maxKeptText / len(line) * len(line)
	if !strings.HasPrefix(s, strings.Repeat(line, kept/len(line))) || len(s) > maxKeptText+200 {
		t.Fatalf("kept %d bytes, want the first %d", len(s), kept)
	}
	if want := "bytes of this server's output after the first"; !strings.Contains(s[kept:], want) {
		t.Errorf("no note of what was left out: %q", s[kept:])
	}
}
