package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// lossyPath makes two namespaces joined by a veth, 192.0.2.1 in the first
// and 192.0.2.2 in the second, where each drops one incoming UDP datagram in
// mod at random (nft's numgen: this kernel has no netem). It returns the
// ip netns exec prefixes of both.
func lossyPath(t *testing.T, mod int) (a, b []string) {
	t.Helper()
	if _, err := exec.LookPath("nft"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("nft is not installed; .ci/run should have installed nftables")
		}
		t.Skip("nft not installed")
	}
	na, nb := namedNetns(t, "goperf-loss-a"), namedNetns(t, "goperf-loss-b")
	va, vb := fmt.Sprintf("gpla%d", os.Getpid()%100000), fmt.Sprintf("gplb%d", os.Getpid()%100000)
	rules := fmt.Sprintf(`table inet loss {
	chain in {
		type filter hook input priority 0; policy accept;
		meta l4proto udp numgen random mod %d == 0 drop
	}
}
`, mod)
	steps := [][]string{
		{"ip", "link", "add", va, "type", "veth", "peer", "name", vb},
		{"ip", "link", "set", va, "netns", na},
		{"ip", "link", "set", vb, "netns", nb},
		{"ip", "-n", na, "addr", "add", "192.0.2.1/24", "dev", va},
		{"ip", "-n", nb, "addr", "add", "192.0.2.2/24", "dev", vb},
		{"ip", "-n", na, "link", "set", va, "up"},
		{"ip", "-n", nb, "link", "set", vb, "up"},
	}
	for _, argv := range steps {
		if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v %s", argv, err, out)
		}
	}
	for _, ns := range []string{na, nb} {
		cmd := exec.Command("ip", "netns", "exec", ns, "nft", "-f", "-")
		cmd.Stdin = strings.NewReader(rules)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("nft in %s: %v %s", ns, err, out)
		}
	}
	return []string{"ip", "netns", "exec", na}, []string{"ip", "netns", "exec", nb}
}

// udpAccount is goperf's per-stream UDP account in its -J document.
type udpAccount struct {
	Sent, Received, Lost uint64
	OutOfOrder           uint64 `json:"out_of_order"`
	Duplicates           uint64
	SocketDrops          *int64 `json:"socket_drops"`
	PathLoss             *int64 `json:"path_loss"`
}

// TestUDPLossyPath runs UDP tests across a path that drops 10% of the
// datagrams, each way: the test ends normally, the loss reported is within
// 2 points of 10%, and every datagram sent is received or counted lost.
func TestUDPLossyPath(t *testing.T) {
	a, b := lossyPath(t, 10)
	for _, dir := range [][]string{nil, {"-R"}} {
		t.Run(fmt.Sprintf("flags%v", dir), func(t *testing.T) {
			srv := start(t, b, "-s", "-1", "-a", "192.0.2.2")
			srv.WaitOutput(t, "Listening on 192.0.2.2:5201 using TCP")
			args := append([]string{"-c", "192.0.2.2", "-u", "--bitrate", "40M", "-b", "1400", "-t", "2", "-J"}, dir...)
			cli := start(t, a, args...)
			if code := cli.Wait(t, 30*time.Second); code != 0 {
				t.Fatalf("client exit %d: %s", code, cli.Stderr.String())
			}
			if code := srv.Wait(t, 10*time.Second); code != 0 {
				t.Errorf("server exit %d: %s", code, srv.Stderr.String())
			}
			var doc struct {
				End struct {
					Goperf struct{ Streams []udpAccount }
				}
			}
			if err := json.Unmarshal([]byte(cli.Stdout.String()), &doc); err != nil {
				t.Fatalf("client JSON: %v\n%s", err, cli.Stdout.String())
			}
			if len(doc.End.Goperf.Streams) != 1 {
				t.Fatalf("goperf accounts: %+v", doc.End.Goperf.Streams)
			}
			acc := doc.End.Goperf.Streams[0]
			if acc.Sent == 0 || acc.Sent != acc.Received+acc.Lost {
				t.Errorf("%d sent, %d received + %d lost", acc.Sent, acc.Received, acc.Lost)
			}
			pct := float64(acc.Lost) * 100 / float64(acc.Sent)
			t.Logf("%d sent, %d received, %d lost (%.2f%%), path %v, socket %v", acc.Sent, acc.Received, acc.Lost, pct, deref(acc.PathLoss), deref(acc.SocketDrops))
			if acc.SocketDrops == nil || acc.PathLoss == nil || *acc.SocketDrops+*acc.PathLoss != int64(acc.Lost) {
				t.Errorf("loss split %v by the socket + %v on the path, want %d", deref(acc.SocketDrops), deref(acc.PathLoss), acc.Lost)
			}
			if pct < 8 || pct > 12 {
				t.Errorf("loss %.2f%%, want 10 ± 2", pct)
			}
		})
	}
}

func deref(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}
