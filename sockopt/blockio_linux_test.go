//go:build !goperf_portable

package sockopt

import (
	"bytes"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// blockingPair returns a TCP pair on loopback whose first end is a
// blocking duplicate with timeout, the original closed.
func blockingPair(t *testing.T, timeout time.Duration) (*os.File, syscall.Conn) {
	t.Helper()
	c, s := pair(t, "tcp4", Options{}, Options{})
	f, err := DupBlocking(c, timeout)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	t.Cleanup(func() { f.Close() })
	return f, s
}

// fdOf runs f with the descriptor of conn.
func fdOf(t *testing.T, conn syscall.Conn, f func(fd int)) {
	t.Helper()
	if err := withFD(conn, func(fd int) error { f(fd); return nil }); err != nil {
		t.Fatal(err)
	}
}

// TestDupBlocking: the duplicate is blocking, has the timeouts asked for,
// and still carries the connection after the original is closed.
func TestDupBlocking(t *testing.T) {
	f, peer := blockingPair(t, 150*time.Millisecond)
	fdOf(t, f, func(fd int) {
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
		if err != nil || flags&unix.O_NONBLOCK != 0 {
			t.Errorf("flags %#x, %v: want blocking", flags, err)
		}
		for _, opt := range []int{unix.SO_SNDTIMEO, unix.SO_RCVTIMEO} {
			// The kernel keeps the timeout in clock ticks: it reads back
			// rounded up to one.
			tv, err := unix.GetsockoptTimeval(fd, unix.SOL_SOCKET, opt)
			if d := time.Duration(tv.Nano()); err != nil || d < 150*time.Millisecond || d > 160*time.Millisecond {
				t.Errorf("timeout option %d: %v, %v; want 150 ms", opt, d, err)
			}
		}
		if n, errno := SendBlocking(fd, []byte("ping")); n != 4 || errno != 0 {
			t.Errorf("send: %d, %v", n, errno)
		}
	})
	buf := make([]byte, 4)
	if _, err := peer.(interface{ Read([]byte) (int, error) }).Read(buf); err != nil || string(buf) != "ping" {
		t.Errorf("peer read %q, %v", buf, err)
	}
}

// recvPastEINTR is RecvBlocking called again after EINTR, for up to 5 s:
// the runtime's preemption signal, which comes when a goroutine has run
// 10 ms without yielding, ends a call that sleeps on a socket with a
// timeout.
func recvPastEINTR(fd int, buf []byte) (int, syscall.Errno) {
	for deadline := time.Now().Add(5 * time.Second); ; {
		if n, errno := RecvBlocking(fd, buf); errno != unix.EINTR || time.Now().After(deadline) {
			return n, errno
		}
	}
}

// TestBlockingCallsEnd: a receive with nothing to read ends at the
// socket's timeout with EAGAIN, and Shutdown ends one at once with 0. The
// timeout is shorter than the 10 ms after which the runtime's preemption
// signal would end the call first.
func TestBlockingCallsEnd(t *testing.T) {
	const timeout = 5 * time.Millisecond
	f, _ := blockingPair(t, timeout)
	buf := make([]byte, 1024)
	fdOf(t, f, func(fd int) {
		start := time.Now()
		n, errno := recvPastEINTR(fd, buf)
		if d := time.Since(start); n != -1 || errno != unix.EAGAIN || d < timeout {
			t.Errorf("receive with nothing to read: %d, %v after %v; want EAGAIN after the %v timeout", n, errno, d, timeout)
		}
	})
	f, _ = blockingPair(t, time.Minute)
	done := make(chan error, 1)
	go func() {
		done <- withFD(f, func(fd int) error {
			if n, errno := recvPastEINTR(fd, buf); n != 0 || errno != 0 {
				return errors.New("not woken by shutdown: " + errno.Error())
			}
			return nil
		})
	}()
	time.Sleep(20 * time.Millisecond) // into the call; it ends either way
	if err := Shutdown(f, true, false); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("receive still sleeping 5 s after Shutdown")
	}
}

// TestRecvAwake: on an empty socket RecvAwake polls for the whole spin,
// counts it, and then sleeps to the socket's timeout, and the next time
// sleeps at once (Spinner); with data queued it
// reads at once, counting no polling, and with discard it lets the kernel
// drop the bytes instead of copying them.
func TestRecvAwake(t *testing.T) {
	const timeout, spin = 5 * time.Millisecond, 2 * time.Millisecond
	f, peer := blockingPair(t, timeout)
	w := peer.(interface{ Write([]byte) (int, error) })
	buf := make([]byte, 2000)
	fdOf(t, f, func(fd int) {
		spinner := Spinner{For: spin}
		n, polled, errno := RecvAwake(fd, buf, false, &spinner)
		if n != -1 || (errno != unix.EAGAIN && errno != unix.EINTR) || polled < spin {
			t.Errorf("empty socket: %d, %v, polled %v; want EAGAIN (or EINTR) after polling %v", n, errno, polled, spin)
		}
		n, polled, errno = RecvAwake(fd, buf, false, &spinner)
		if n != -1 || (errno != unix.EAGAIN && errno != unix.EINTR) || polled != 0 {
			t.Errorf("empty again after a wasted poll: %d, %v, polled %v; want EAGAIN (or EINTR) without polling", n, errno, polled)
		}
		for _, discard := range []bool{false, true} {
			clear(buf)
			if _, err := w.Write(bytes.Repeat([]byte{7}, 1000)); err != nil {
				t.Fatal(err)
			}
			if ready, errno := WaitReadable(fd, 5*time.Second); !ready || errno != 0 {
				t.Fatalf("the peer's bytes did not arrive: %v", errno)
			}
			n, polled, errno := RecvAwake(fd, buf, discard, &Spinner{For: spin})
			if n != 1000 || errno != 0 || polled != 0 {
				t.Errorf("discard %v: %d, %v, polled %v; want the 1000 bytes queued, no polling", discard, n, errno, polled)
			}
			if copied := buf[0] == 7; copied == discard {
				t.Errorf("discard %v: bytes copied %v", discard, copied)
			}
		}
	})
}
