//go:build unix

package main

import "syscall"

// newSession makes a child the leader of a new session, with no
// controlling terminal.
func newSession() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }
