package enginetest

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"testing"
)

// Network namespaces for tests that need a path with a queue or losses:
// made by the test, removed at its cleanup. They need root and iproute2;
// without them the test is skipped.

// Netns makes a network namespace named prefix-PID with its loopback up.
func Netns(tb testing.TB, prefix string) string {
	tb.Helper()
	if os.Geteuid() != 0 {
		tb.Skip("network namespaces need root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		tb.Skip("ip (iproute2) not installed")
	}
	name := fmt.Sprintf("%s-%d", prefix, os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		tb.Skipf("ip netns add: %v %s", err, out)
	}
	tb.Cleanup(func() { _ = exec.Command("ip", "netns", "del", name).Run() })
	Run(tb, "ip", "-n", name, "link", "set", "lo", "up")
	return name
}

// Run runs a set-up command and fails the test if it fails.
func Run(tb testing.TB, argv ...string) {
	tb.Helper()
	if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
		tb.Fatalf("%v: %v %s", argv, err, out)
	}
}

// TBF limits the egress of dev, in the namespace of the ip netns exec
// prefix ns, to rate with a queue of latency, in bursts of 4 KB (the
// issue's 32kbit); it skips without tc's tbf.
func TBF(tb testing.TB, ns []string, dev, rate, latency string) {
	tb.Helper()
	argv := append(slices.Clone(ns), "tc", "qdisc", "add", "dev", dev, "root", "tbf", "rate", rate, "burst", "4kb", "latency", latency)
	if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
		tb.Skipf("tbf: %v %s", err, out)
	}
}

// QueuedPath makes namespaces a (192.0.2.1) and b (198.51.100.2) joined
// through a router namespace whose egress each way is a tbf of rate with
// up to latency of queue. The queue is a hop away from both ends, as on a
// real path: neither end's socket buffer (UDP) nor TCP Small Queues bounds
// what waits in it, so a loaded path fills it. It names everything after
// what and returns the ip netns exec prefixes of a and b.
func QueuedPath(tb testing.TB, what, rate, latency string) (a, b []string) {
	tb.Helper()
	na, nr, nb := Netns(tb, "goperf-"+what+"-a"), Netns(tb, "goperf-"+what+"-r"), Netns(tb, "goperf-"+what+"-b")
	name := func(end string) string { return fmt.Sprintf("gq%s%s%d", what[:1], end, os.Getpid()%100000) }
	la, ra, rb, lb := name("a"), name("r"), name("s"), name("b") // a's, the router's two, b's
	for _, argv := range [][]string{
		{"ip", "link", "add", la, "type", "veth", "peer", "name", ra},
		{"ip", "link", "add", lb, "type", "veth", "peer", "name", rb},
		{"ip", "link", "set", la, "netns", na},
		{"ip", "link", "set", ra, "netns", nr},
		{"ip", "link", "set", rb, "netns", nr},
		{"ip", "link", "set", lb, "netns", nb},
		{"ip", "-n", na, "addr", "add", "192.0.2.1/24", "dev", la},
		{"ip", "-n", nr, "addr", "add", "192.0.2.254/24", "dev", ra},
		{"ip", "-n", nr, "addr", "add", "198.51.100.254/24", "dev", rb},
		{"ip", "-n", nb, "addr", "add", "198.51.100.2/24", "dev", lb},
		{"ip", "-n", na, "link", "set", la, "up"},
		{"ip", "-n", nr, "link", "set", ra, "up"},
		{"ip", "-n", nr, "link", "set", rb, "up"},
		{"ip", "-n", nb, "link", "set", lb, "up"},
		{"ip", "-n", na, "route", "add", "default", "via", "192.0.2.254"},
		{"ip", "-n", nb, "route", "add", "default", "via", "198.51.100.254"},
		{"ip", "netns", "exec", nr, "sysctl", "-qw", "net.ipv4.ip_forward=1"},
	} {
		Run(tb, argv...)
	}
	r := []string{"ip", "netns", "exec", nr}
	TBF(tb, r, ra, rate, latency)
	TBF(tb, r, rb, rate, latency)
	return []string{"ip", "netns", "exec", na}, []string{"ip", "netns", "exec", nb}
}
