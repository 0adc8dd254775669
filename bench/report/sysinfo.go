package main

import (
	"bufio"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// machine describes where the figures were measured.
type machine struct {
	Kernel, CPU, Go string
	CPUs            int
	Congestion      string   // the kernel's default TCP congestion control
	Qdisc           string   // the default queueing discipline
	Tools           []string // versions of the other testers
}

func describeMachine(toolPaths []string) machine {
	m := machine{Kernel: firstLine("uname", "-sr"), CPU: cpuModel(), Go: runtime.Version(), CPUs: runtime.NumCPU(),
		Congestion: sysctl("net/ipv4/tcp_congestion_control"), Qdisc: sysctl("net/core/default_qdisc")}
	for _, p := range toolPaths {
		m.Tools = append(m.Tools, p+": "+firstLine(p, "--version"))
	}
	return m
}

// firstLine runs a command and returns the first line it prints, or "?".
func firstLine(name string, args ...string) string {
	out, _ := exec.Command(name, args...).CombinedOutput() // iperf 2 prints its version on stderr, exit 1
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	if line == "" {
		return "?"
	}
	return line
}

// cpuModel reads the CPU's name from /proc/cpuinfo.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// sysctl reads a kernel setting, or "?".
func sysctl(name string) string {
	b, err := os.ReadFile("/proc/sys/" + name)
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(b))
}
