package echo

import (
	"errors"
	"os"
	"time"
)

// idleDeadline keeps a connection's deadline about one period ahead of its
// last progress without touching the timer on every read and write: it
// arms the deadline once, and when it fires, re-arms it if the connection
// made progress in the meantime. A connection that makes no progress
// therefore fails between one and two periods after it last did.
type idleDeadline struct {
	set    func(time.Time) error // the connection's SetDeadline, SetReadDeadline or SetWriteDeadline
	period time.Duration
	moved  bool // progress since the deadline was armed
}

// arm sets the deadline one period from now.
func (d *idleDeadline) arm() error {
	d.moved = false
	return d.set(time.Now().Add(d.period))
}

// progress notes that data moved.
func (d *idleDeadline) progress() { d.moved = true }

// retry reports whether err is a deadline that fired although data moved
// since it was armed; the deadline is then re-armed and the caller retries.
func (d *idleDeadline) retry(err error) bool {
	if !errors.Is(err, os.ErrDeadlineExceeded) || !d.moved {
		return false
	}
	return d.arm() == nil
}

// isTimeout reports whether err is a deadline that fired.
func isTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }
