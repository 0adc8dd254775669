package engine

import (
	"fmt"
	"testing"
	"time"
)

// TestOmitOneBoundary: with -O both ends count from one boundary, the
// receiver's, so the identities hold exactly in the client's document and
// in the server's: TCP sent = received in bytes; UDP sent = received +
// lost in datagrams, and sent bytes = sent datagrams × the datagram size.
// Each end used to cut by its own clock, and the data in flight at the cut
// counted for one end only (issue 17: 4.3 MB apart at -R -O 1).
func TestOmitOneBoundary(t *testing.T) {
	const length = 1448
	for _, sp := range []Spec{
		{Proto: TCP},
		{Proto: TCP, Direction: Reverse},
		{Proto: TCP, Direction: Bidir},
		{Proto: TCP, Streams: 2},
		{Proto: UDP, Length: length, Bitrate: 100e6},
		{Proto: UDP, Length: length, Bitrate: 100e6, Direction: Reverse},
		{Proto: UDP, Length: length, Bitrate: 100e6, Direction: Bidir},
	} {
		t.Run(fmt.Sprintf("%v %v P%d", sp.Proto, sp.Direction, max(sp.Streams, 1)), func(t *testing.T) {
			ts := startServer(t, ServerConfig{}, JSON)
			sp.Omit, sp.Duration = time.Second, time.Second
			_, doc, err := runClient(t, ts.clientConfig(sp))
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, func() bool { return ts.activeTests() == 0 })
			docs := serverDocs(t, ts.out.String())
			if len(docs) != 1 {
				t.Fatalf("%d server documents", len(docs))
			}
			for who, d := range map[string]map[string]any{"client": doc, "server": docs[0]} {
				if sp.Proto == UDP {
					checkOmitAccounts(t, who, d)
				}
				sums := [][2]string{{"sum_sent", "sum_received"}}
				if sp.Direction == Bidir {
					sums = append(sums, [2]string{"sum_sent_bidir_reverse", "sum_received_bidir_reverse"})
				}
				for _, pair := range sums {
					sent, recv := num(d, "end", pair[0], "bytes"), num(d, "end", pair[1], "bytes")
					if sent == 0 {
						t.Errorf("%s %s: no bytes", who, pair[0])
					}
					if sp.Proto == TCP && sent != recv {
						t.Errorf("%s: %s %.0f bytes, %s %.0f: %+.0f", who, pair[0], sent, pair[1], recv, recv-sent)
					}
					if sp.Proto != UDP {
						continue
					}
					// iperf3's sum_received.packets counts what was sent.
					pk, got := num(d, "end", pair[0], "packets"), num(d, "end", pair[1], "packets")
					if pk != got {
						t.Errorf("%s: %s %.0f datagrams, %s %.0f", who, pair[0], pk, pair[1], got)
					}
					if sent != pk*length {
						t.Errorf("%s: %s %.0f bytes for %.0f datagrams of %d (%.0f)", who, pair[0], sent, pk, length, pk*length)
					}
				}
			}
		})
	}
}

// checkOmitAccounts checks goperf's own account of each UDP stream in a
// document: sent = received + lost, to the datagram.
func checkOmitAccounts(t *testing.T, who string, doc map[string]any) {
	t.Helper()
	end, _ := doc["end"].(map[string]any)
	ext, _ := end["goperf"].(map[string]any)
	streams, _ := ext["streams"].([]any)
	if len(streams) == 0 {
		t.Errorf("%s: no goperf stream accounts", who)
	}
	for _, st := range streams {
		sent, recv, lost := num(st, "sent"), num(st, "received"), num(st, "lost")
		if sent == 0 || sent != recv+lost {
			t.Errorf("%s: stream account %.0f sent, %.0f received + %.0f lost", who, sent, recv, lost)
		}
	}
}
