package engine

import (
	"bytes"
	"testing"
	"time"
)

// TestRecvFillsBlocks: a receiver that fills blocks asks each read for
// the rest of its block and starts again when the block is full; one that
// does not asks a whole block every time. Both hand on exactly the bytes
// that came, in order, through net.Conn, raw calls and a thread loop. The
// peer writes pieces shorter than the block and the receiver reads each
// before the next is written; one piece crosses a block's end.
func TestRecvFillsBlocks(t *testing.T) {
	const block = 1000
	pieces := []int{300, 500, 400, 1000, 200, 600}
	for _, fill := range []bool{true, false} {
		for _, path := range []ioPath{pathNetConn, pathRaw, pathThread} {
			t.Run(path.String()+map[bool]string{true: "/fill", false: "/whole"}[fill], func(t *testing.T) {
				c, peer := tcpPair(t)
				s := newStream(1, c, false, block, false)
				s.fillBlocks = fill
				step := recvStepOn(t, s, path)
				var got, sent []byte
				filled := 0 // what s.filled must be
				for i, n := range pieces {
					piece := bytes.Repeat([]byte{byte('a' + i)}, n)
					sent = append(sent, piece...)
					if _, err := peer.Write(piece); err != nil {
						t.Fatal(err)
					}
					for calls := 0; len(got) < len(sent); calls++ {
						if calls == 10 {
							t.Fatalf("piece %d: not read in 10 calls", i)
						}
						if asked := len(s.unread()); asked != block-filled {
							t.Fatalf("piece %d: a read asks %d bytes, want %d", i, asked, block-filled)
						}
						before, from := s.bytes.Load(), s.filled
						if err := step(); err != nil {
							t.Fatal(err)
						}
						k := int(s.bytes.Load() - before)
						got = append(got, s.buf[from:from+k]...)
						if fill {
							filled = (filled + k) % block
						}
						if s.filled != filled {
							t.Fatalf("piece %d: %d bytes of the block filled, want %d", i, s.filled, filled)
						}
					}
				}
				if !bytes.Equal(got, sent) {
					t.Errorf("received %d bytes that differ from the %d sent", len(got), len(sent))
				}
			})
		}
	}
}

// recvStepOn puts s on path and returns one receive step on it that
// waits, briefly and a bounded number of times, for data to come.
func recvStepOn(t *testing.T, s *stream, path ioPath) func() error {
	t.Helper()
	if path == pathNetConn {
		s.setPath(path)
		return s.recvStep
	}
	fd := rawFD(t, s, path)
	recv := (*stream).rawRecvStep
	if path == pathThread {
		recv = (*stream).threadRecvStep
	}
	return func() error {
		for range 1000 {
			switch recv(s, fd) {
			case stepMore:
				return nil
			case stepDone:
				return s.exit
			}
			time.Sleep(time.Millisecond) // the socket was empty (raw) or the backstop passed (thread)
		}
		t.Fatal("no data within 1000 calls")
		return nil
	}
}
