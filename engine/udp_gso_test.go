package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/goperf/goperf/sockopt"
)

// refusingGSO is a path that accepts a socket's GSO option but refuses
// the first send that asks it to segment, as a device that cannot does
// (the kernel answers EIO then): after it, GSO is off and a send that
// still asks for it fails the same way.
type refusingGSO struct {
	datagramIO
	refused    bool
	segmented  int // sends that asked for segmentation after the refusal
	singleSent int // datagrams sent one per message
}

func (r *refusingGSO) Send(bufs [][]byte, segSize int) (int, error) {
	if segSize > 0 {
		if r.refused {
			r.segmented++
		}
		r.refused = true
		return 0, fmt.Errorf("sendmmsg: %w", sockopt.ErrGSODisabled)
	}
	n, err := r.datagramIO.Send(bufs, 0)
	r.singleSent += n
	return n, err
}

func (r *refusingGSO) Offload() (bool, bool) {
	gso, gro := r.datagramIO.Offload()
	return gso && !r.refused, gro
}

// TestUDPGSOFallback: when the path refuses GSO at send time, the sender
// sends the batch it was on, and every batch after, one datagram per
// message; every datagram numbered is sent once, and the receiver counts
// them all, in order.
func TestUDPGSOFallback(t *testing.T) {
	a, b := udpPairConns(t)
	_ = b.SetReadBuffer(8 << 20)
	_ = b.SetReadDeadline(time.Now().Add(10 * time.Second))
	snd := udpTestStream(t, a, true, UDPConfig{}, false)
	if gso, _ := snd.udp.io.Offload(); !gso {
		t.Skip("no UDP GSO here")
	}
	rcv := udpTestStream(t, b, false, UDPConfig{}, false)
	path := &refusingGSO{datagramIO: snd.udp.io}
	snd.udp.io = path
	const batches = 4
	for range batches {
		if _, err := snd.udpSendStep(); err != nil {
			t.Fatal(err)
		}
	}
	sent := snd.udp.sent.Load()
	for deadline := time.Now().Add(5 * time.Second); rcv.udp.acct.received < sent && time.Now().Before(deadline); {
		if err := rcv.udpRecvStep(); err != nil {
			t.Fatal(err)
		}
	}
	acct := rcv.udp.acct
	t.Logf("%d sent, one per message %d; received %d, highest %d, out of order %d", sent, path.singleSent, acct.received, acct.highest, acct.outOfOrder)
	switch {
	case path.segmented != 0:
		t.Errorf("%d sends asked for segmentation after the path refused it", path.segmented)
	case snd.udp.perMsg != 1 || snd.udp.seg != 0:
		t.Errorf("after the refusal: %d datagrams a message, segment size %d", snd.udp.perMsg, snd.udp.seg)
	case uint64(path.singleSent) != sent || sent != snd.udp.seq:
		t.Errorf("%d numbered, %d counted sent, %d sent one per message", snd.udp.seq, sent, path.singleSent)
	case acct.received != sent || acct.highest != sent || acct.outOfOrder != 0:
		t.Errorf("received %d of %d, highest %d, %d out of order", acct.received, sent, acct.highest, acct.outOfOrder)
	}
}
