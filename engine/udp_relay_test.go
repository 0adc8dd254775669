package engine

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/goperf/goperf/engine/wire"
	"github.com/goperf/goperf/sockopt"
)

// relay stands between a client and a server on loopback: it forwards the
// control connection as it is and impairs the data datagrams (those of
// exactly length bytes) on purpose, each way: of every ten it swaps the
// fifth and sixth, and it sends every 25th twice.
type relay struct {
	t      *testing.T
	server int // the server's port
	length int
	port   int
	tcp    net.Listener
	udp    *net.UDPConn

	loseReply bool // drop the server's first set-up reply to each client socket

	mu      sync.Mutex
	swapped int // datagrams that arrived after their successor
	doubled int // datagrams sent twice
}

// startRelay listens on one port for TCP and UDP, in front of server;
// with loseReply it drops the first set-up reply to each client socket.
func startRelay(t *testing.T, server, length int, loseReply bool) *relay {
	t.Helper()
	r := &relay{t: t, server: server, length: length, loseReply: loseReply}
	for range 10 {
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		uc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
		if err != nil {
			ln.Close()
			continue
		}
		r.tcp, r.udp, r.port = ln, uc, port
		roomy(t, uc)
		break
	}
	if r.tcp == nil {
		t.Fatal("no port free for both TCP and UDP")
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); r.serveTCP() }()
	go func() { defer wg.Done(); r.serveUDP() }()
	t.Cleanup(func() { r.tcp.Close(); r.udp.Close(); wg.Wait() })
	return r
}

func (r *relay) serveTCP() {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		c, err := r.tcp.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp4", joinHostPort("127.0.0.1", r.server))
		if err != nil {
			c.Close()
			continue
		}
		wg.Add(2)
		pipe := func(dst, src net.Conn) {
			defer wg.Done()
			_, _ = io.Copy(dst, src)
			dst.(*net.TCPConn).CloseWrite()
		}
		go pipe(up, c)
		go pipe(c, up)
		r.t.Cleanup(func() { c.Close(); up.Close() })
	}
}

// serveUDP forwards datagrams from clients to the server, one upstream
// socket per client, and the server's answers back.
func (r *relay) serveUDP() {
	ups := map[string]*net.UDPConn{}
	var wg sync.WaitGroup
	defer func() {
		for _, up := range ups {
			up.Close()
		}
		wg.Wait()
	}()
	im := r.impairer(func(p []byte, to *net.UDPConn, _ *net.UDPAddr) { _, _ = to.Write(p) })
	buf := make([]byte, 65536)
	for {
		_ = r.udp.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		n, from, err := r.udp.ReadFromUDP(buf)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			im.flush()
			continue
		}
		if err != nil {
			return
		}
		up := ups[from.String()]
		if up == nil {
			if up, err = net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: r.server}); err != nil {
				continue
			}
			roomy(r.t, up)
			ups[from.String()] = up
			wg.Add(1)
			go func() { defer wg.Done(); r.answer(up, from) }()
		}
		im.forward(buf[:n], up, nil)
	}
}

// relayBuffer is a relay socket's receive buffer: room for all of a test's
// datagrams (50 Mbit/s for a second is 4,500 datagrams of 1400 bytes,
// about 10 MiB of the kernel's accounting), so that a relay held up by a
// loaded machine loses none: what the receiver counts lost must be what
// the relay dropped, and it drops nothing on purpose.
const relayBuffer = 32 << 20

// roomy gives a relay socket relayBuffer, past rmem_max where allowed.
func roomy(t *testing.T, c *net.UDPConn) {
	if err := (sockopt.Options{RecvBuffer: relayBuffer}).Apply(c, "udp4"); err != nil {
		t.Logf("relay receive buffer: %v", err)
	}
}

// answer forwards what the server sends on up back to the client.
func (r *relay) answer(up *net.UDPConn, client *net.UDPAddr) {
	lose := r.loseReply
	im := r.impairer(func(p []byte, _ *net.UDPConn, to *net.UDPAddr) {
		if lose && bytes.Equal(p, wire.UDPReply[:]) {
			lose = false
			return
		}
		_, _ = r.udp.WriteToUDP(p, to)
	})
	buf := make([]byte, 65536)
	for {
		_ = up.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		n, err := up.Read(buf)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			im.flush()
			continue
		}
		if err != nil {
			return
		}
		im.forward(buf[:n], nil, client)
	}
}

// impairer swaps and repeats one direction's data datagrams.
type impairer struct {
	r     *relay
	send  func(p []byte, conn *net.UDPConn, addr *net.UDPAddr)
	k     int
	held  []byte
	hconn *net.UDPConn
	haddr *net.UDPAddr
}

func (r *relay) impairer(send func([]byte, *net.UDPConn, *net.UDPAddr)) *impairer {
	return &impairer{r: r, send: send}
}

func (im *impairer) forward(p []byte, conn *net.UDPConn, addr *net.UDPAddr) {
	if len(p) != im.r.length {
		im.send(p, conn, addr)
		return
	}
	im.k++
	switch {
	case im.k%10 == 5:
		im.held, im.hconn, im.haddr = append(im.held[:0], p...), conn, addr
		return
	case im.k%10 == 6 && im.held != nil:
		im.send(p, conn, addr)
		im.flush()
		im.r.count(&im.r.swapped)
		return
	case im.k%25 == 0:
		im.send(p, conn, addr)
		im.r.count(&im.r.doubled)
	}
	im.send(p, conn, addr)
}

// flush sends a held datagram that has no successor yet.
func (im *impairer) flush() {
	if im.held != nil {
		im.send(im.held, im.hconn, im.haddr)
		im.held = nil
	}
}

func (r *relay) count(n *int) {
	r.mu.Lock()
	*n++
	r.mu.Unlock()
}

func (r *relay) counts() (swapped, doubled int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.swapped, r.doubled
}

// TestUDPReorderAndDuplicates runs UDP tests through the relay, each way,
// and expects every swap counted out of order, every repeat counted a
// duplicate, and nothing lost.
func TestUDPReorderAndDuplicates(t *testing.T) {
	ts := startServer(t, ServerConfig{}, JSON)
	for _, dir := range []Direction{Forward, Reverse} {
		t.Run(dir.String(), func(t *testing.T) {
			const length = 1400
			r := startRelay(t, ts.port, length, false)
			cfg := ts.clientConfig(Spec{Proto: UDP, Length: length, Bitrate: 50e6, Duration: time.Second, Direction: dir})
			cfg.Port = r.port
			sum, _, err := runClient(t, cfg)
			if err != nil {
				t.Fatal(err)
			}
			checkUDPAccount(t, sum)
			swapped, doubled := r.counts()
			rcv := sum.Forward.Receiver.UDP
			t.Logf("relay swapped %d, doubled %d; receiver: %d received, %d lost, %d out of order, %d duplicates",
				swapped, doubled, rcv.Packets, rcv.Lost, rcv.OutOfOrder, rcv.Duplicates)
			if swapped == 0 || doubled == 0 {
				t.Fatal("the relay impaired nothing")
			}
			if rcv.Lost != 0 || rcv.OutOfOrder != uint64(swapped) || rcv.Duplicates != uint64(doubled) {
				t.Errorf("receiver counts %d lost, %d out of order, %d duplicates; want 0, %d, %d",
					rcv.Lost, rcv.OutOfOrder, rcv.Duplicates, swapped, doubled)
			}
		})
	}
}

// TestUDPLostSetupReply drops the server's first reply to each stream's
// connect datagram: the client asks again, and the stream's new socket
// (which now gets the repeats) answers, before the test and during it.
func TestUDPLostSetupReply(t *testing.T) {
	ts := startServer(t, ServerConfig{}, JSON)
	for _, sp := range []Spec{{Streams: 2}, {Direction: Reverse}, {Direction: Bidir}} {
		t.Run(sp.Direction.String(), func(t *testing.T) {
			r := startRelay(t, ts.port, 1400, true)
			sp.Proto, sp.Length, sp.Bitrate, sp.Duration = UDP, 1400, 10e6, 500*time.Millisecond
			cfg := ts.clientConfig(sp)
			cfg.Port = r.port
			sum, _, err := runClient(t, cfg)
			if err != nil {
				t.Fatal(err)
			}
			checkUDPAccount(t, sum)
		})
	}
}
