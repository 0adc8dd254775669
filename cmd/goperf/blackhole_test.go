package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// blackhole is an nft table that drops every TCP segment arriving, data
// and control; loaded on both ends, it is a path that fails silently.
const blackhole = `table inet blackhole {
	chain in {
		type filter hook input priority 0; policy accept;
		meta l4proto tcp drop
	}
}
`

// TestBlackholedPath: a path that starts dropping everything mid-test
// hangs neither end. The client's senders, asleep on a socket nobody
// drains, stop at the test's end; it then waits for the server's results
// for its control timeout and fails in one line. The server's test ends
// by its idle timeout, and once the path heals the server serves the next
// client. Forward (the client's senders stuck) and -R (the server's).
func TestBlackholedPath(t *testing.T) {
	a, b := vethPair(t, "hole")
	srv := start(t, b, "-s", "-a", "192.0.2.2", "--idle-timeout", "2")
	srv.WaitOutput(t, "Listening on 192.0.2.2:5201 using TCP")
	for _, dir := range [][]string{nil, {"-R"}} {
		t.Run(fmt.Sprintf("flags%v", dir), func(t *testing.T) {
			const length, ctrlTimeout = 3, 10 // seconds; the client's control timeout
			args := append([]string{"-c", "192.0.2.2", "-t", fmt.Sprint(length), "-P", "2"}, dir...)
			cli := start(t, a, args...)
			cli.WaitOutput(t, `0\.00-1\.\d\d`)
			nft(t, a, blackhole)
			nft(t, b, blackhole)
			begun := time.Now()
			bound := time.Duration(length+ctrlTimeout+5) * time.Second
			if code := cli.Wait(t, bound); code == 0 {
				t.Errorf("client exit 0 across a dead path:\n%s", cli.Stdout.String())
			}
			t.Logf("client ended %v after the path died: %s", time.Since(begun).Round(time.Millisecond), strings.TrimSpace(cli.Stderr.String()))
			oneErrorLine(t, cli.Stderr.String())
			deadline := time.Now().Add(2*time.Second + 5*time.Second) // the idle timeout, and time to notice
			for !strings.Contains(srv.Stderr.String(), "idle: no data moved") && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			if !strings.Contains(srv.Stderr.String(), "idle: no data moved") {
				t.Fatalf("server did not end the test by its idle timeout:\n%s", srv.Stderr.String())
			}
			nft(t, a, "delete table inet blackhole\n")
			nft(t, b, "delete table inet blackhole\n")
			next := start(t, a, "-c", "192.0.2.2", "-t", "1")
			if code := next.Wait(t, 20*time.Second); code != 0 {
				t.Errorf("the next client after the path healed: exit %d: %s", code, next.Stderr.String())
			}
		})
	}
}

// TestConnectTimeoutMilliseconds: --connect-timeout counts milliseconds,
// as iperf3's does. Against a path that drops the SYN, the client gives up
// after the 700 ms asked (not before: it waited for the handshake), well
// before a reading in seconds would.
func TestConnectTimeoutMilliseconds(t *testing.T) {
	a, b := vethPair(t, "slow")
	nft(t, b, blackhole)
	const asked = 700 * time.Millisecond
	begun := time.Now()
	cli := start(t, a, "-c", "192.0.2.2", "--connect-timeout", fmt.Sprint(asked.Milliseconds()))
	if code := cli.Wait(t, asked+5*time.Second); code == 0 {
		t.Fatalf("client exit 0 with no server reachable:\n%s", cli.Stdout.String())
	}
	took := time.Since(begun)
	oneErrorLine(t, cli.Stderr.String())
	if took < asked {
		t.Errorf("client gave up after %v, before the %v asked: %s", took, asked, cli.Stderr.String())
	}
	t.Logf("gave up after %v: %s", took.Round(time.Millisecond), strings.TrimSpace(cli.Stderr.String()))
}

// TestDontFragment: over a veth pair (MTU 1500), 2000-byte datagrams
// leave in fragments and arrive; with --dont-fragment the kernel refuses
// to send them (EMSGSIZE) and the client says so in one line. GSO is off:
// a GSO buffer is segmented to the datagram length, below the MTU or not.
func TestDontFragment(t *testing.T) {
	a, b := vethPair(t, "frag")
	srv := start(t, b, "-s", "-a", "192.0.2.2")
	srv.WaitOutput(t, "Listening on 192.0.2.2:5201 using UDP")
	args := []string{"-c", "192.0.2.2", "-u", "-l", "2000", "--no-gso", "--bitrate", "1M", "-t", "1"}
	if c := start(t, a, args...); c.Wait(t, 20*time.Second) != 0 {
		t.Fatalf("2000-byte datagrams without --dont-fragment: %s", c.Stderr.String())
	}
	c := start(t, a, append(args, "--dont-fragment")...)
	if code := c.Wait(t, 20*time.Second); code == 0 {
		t.Fatalf("2000-byte datagrams with --dont-fragment went out:\n%s", c.Stdout.String())
	}
	oneErrorLine(t, c.Stderr.String())
	if !strings.Contains(c.Stderr.String(), "message too long") {
		t.Errorf("the refusal does not say why: %s", c.Stderr.String())
	}
}
