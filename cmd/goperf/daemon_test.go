package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goperf/goperf/engine/enginetest"
)

// TestDaemon: -D returns at once with status 0 and leaves a server
// serving in its own session; -I names it while it runs (a second server
// with the same file is refused in one line) and is removed when it ends
// by SIGTERM. The server's output goes to --logfile.
func TestDaemon(t *testing.T) {
	dir := t.TempDir()
	pidfile, logfile := filepath.Join(dir, "goperf.pid"), filepath.Join(dir, "goperf.log")
	port := strconv.Itoa(enginetest.FreePort(t))
	d := start(t, nil, "-s", "-D", "-a", "127.0.0.1", "-p", port, "-I", pidfile, "--logfile", logfile)
	if code := d.Wait(t, 15*time.Second); code != 0 {
		t.Fatalf("-D exit %d: %s", code, d.Stderr.String())
	}
	pid := waitPID(t, pidfile)
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	if sid := sessionOf(t, pid); sid != pid {
		t.Errorf("the daemon (pid %d) is in session %d; want its own", pid, sid)
	}
	if c := start(t, nil, "-c", "127.0.0.1", "-p", port, "-t", "1"); c.Wait(t, 30*time.Second) != 0 {
		t.Fatalf("client against the daemon: %s", c.Stderr.String())
	}
	second := start(t, nil, "-s", "-a", "127.0.0.1", "-p", "0", "-I", pidfile)
	if code := second.Wait(t, 5*time.Second); code == 0 || !strings.Contains(second.Stderr.String(), "another instance appears to be running") {
		t.Errorf("a second server on the same pid file: exit %d, %q", code, second.Stderr.String())
	}
	oneErrorLine(t, second.Stderr.String())
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); alive(pid) && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
	}
	if alive(pid) {
		t.Fatal("the daemon outlived SIGTERM by 10 s")
	}
	if _, err := os.Stat(pidfile); !os.IsNotExist(err) {
		t.Errorf("pid file left behind: %v", err)
	}
	if log, _ := os.ReadFile(logfile); !strings.Contains(string(log), "Accepted connection from 127.0.0.1") {
		t.Errorf("log file:\n%s", log)
	}
}

// waitPID reads the pid a server wrote to path, waiting up to 15 s for it.
func waitPID(t *testing.T, path string) int {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		b, err := os.ReadFile(path)
		if pid, perr := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && perr == nil && pid > 0 {
			return pid
		}
	}
	t.Fatalf("no pid in %s after 15 s", path)
	return 0
}

// sessionOf reads the session id of pid from /proc/PID/stat (the sixth
// field; the command name before it is in parentheses and may hold
// spaces).
func sessionOf(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(fields) < 4 {
		t.Fatalf("/proc/%d/stat: %q", pid, b)
	}
	sid, _ := strconv.Atoi(fields[3]) // state, ppid, pgrp, session
	return sid
}
