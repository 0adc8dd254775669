//go:build !unix

package main

import "syscall"

// newSession has nothing to set off Unix: the child is simply detached
// from the parent's standard streams.
func newSession() *syscall.SysProcAttr { return nil }
