package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// processFlags are iperf3's server flags for how the process runs.
type processFlags struct {
	Daemon  bool   `short:"D" name:"daemon" help:"Server: run in the background, detached from the terminal (output to --logfile, else discarded)."`
	PIDFile string `short:"I" name:"pidfile" help:"Server: write the process id to this file while it runs; refuse to start while another live process holds it."`
}

// daemonEnv marks the detached child of -D, so that it serves instead of
// detaching again.
const daemonEnv = "GOPERF_DAEMON_CHILD"

// detach starts this command again in a session of its own, detached from
// the terminal, and reports true: the caller exits 0, as iperf3 -D's
// parent does. The child serves; it reports false.
func detach(args []string) (bool, error) {
	if os.Getenv(daemonEnv) != "" {
		return false, nil
	}
	self, err := os.Executable()
	if err != nil {
		return false, fmt.Errorf("daemon: %w", err)
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return false, fmt.Errorf("daemon: %w", err)
	}
	defer null.Close()
	cmd := exec.Command(self, args...)
	cmd.Env = append(os.Environ(), daemonEnv+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = null, null, null
	cmd.SysProcAttr = newSession()
	if err := cmd.Start(); err != nil {
		return false, fmt.Errorf("daemon: %w", err)
	}
	return true, cmd.Process.Release()
}

// writePIDFile writes this process's id to path and returns the function
// that removes it. A file that names a live process refuses the start, as
// iperf3's does; one that names a dead process is replaced.
func writePIDFile(path string) (func(), error) {
	if b, err := os.ReadFile(path); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 && alive(pid) {
			return nil, fmt.Errorf("pid file %s: another instance appears to be running (pid %d)", path, pid)
		}
	}
	if err := os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("pid file: %w", err)
	}
	return func() { _ = os.Remove(path) }, nil
}

// alive reports whether pid names a running process (or one this user
// may not signal).
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}
