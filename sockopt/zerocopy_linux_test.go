//go:build !goperf_portable

package sockopt

import (
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// TestZeroCopySlowReader: a MSG_ZEROCOPY sender whose peer reads slowly
// ends with sends still pending, and Finish waits until the kernel has
// reported every one complete, while the reader drains. On loopback every
// completion is flagged copied. sendfile sends every byte too.
func TestZeroCopySlowReader(t *testing.T) {
	const sends, block = 200, 64 << 10
	for _, mode := range []ZeroCopyMode{ZeroCopyMsg, ZeroCopySendfile} {
		t.Run(mode.String(), func(t *testing.T) {
			f, peer := blockingPair(t, time.Second)
			buf := make([]byte, block)
			z, err := NewZeroCopy(f, mode, buf)
			if err != nil {
				t.Fatal(err)
			}
			defer z.Close()
			read := make(chan int64, 1)
			go func() { // slow: 64 KiB every 2 ms, about 30 MB/s
				var n int64
				p := make([]byte, block)
				for {
					k, err := peer.(net.Conn).Read(p)
					n += int64(k)
					if err != nil {
						read <- n
						return
					}
					time.Sleep(2 * time.Millisecond)
				}
			}()
			var sent int64
			var stats ZeroCopyStats
			fdOf(t, f, func(fd int) {
				for calls := 0; sent < sends*block && calls < 100*sends; calls++ {
					n, errno := z.Send(fd, buf[:min(block, sends*block-int(sent))])
					switch {
					case n > 0:
						sent += int64(n)
					case errno != syscall.EINTR && errno != syscall.EAGAIN:
						t.Fatalf("send: %v", errno)
					}
				}
				before := z.Stats()
				if mode == ZeroCopyMsg && before.Pending == 0 {
					t.Errorf("no send pending when the sender stopped: %+v; the reader is not slow", before)
				}
				stats = z.Finish(fd, 20*time.Second)
			})
			if sent != sends*block {
				t.Fatalf("sent %d of %d bytes", sent, sends*block)
			}
			_ = f.Close()
			if got := <-read; got != sent {
				t.Errorf("the reader got %d of %d bytes", got, sent)
			}
			if stats.Sends == 0 || stats.Mode != mode {
				t.Errorf("stats %+v", stats)
			}
			if mode == ZeroCopyMsg && (stats.Completed != stats.Sends || stats.MsgSends != stats.Sends || stats.Pending != 0 || stats.Copied != stats.Completed) {
				t.Errorf("after Finish: %+v; want every send completed, and copied on loopback", stats)
			}
		})
	}
}

// TestZeroCopyAutoSwitches: on loopback every MSG_ZEROCOPY send comes
// back copied, so ZeroCopyAuto goes on with sendfile once switchAfter
// completions say so, and still counts the earlier sends to the last.
func TestZeroCopyAutoSwitches(t *testing.T) {
	const sends, block = 1000, 64 << 10
	f, peer := blockingPair(t, time.Second)
	buf := make([]byte, block)
	z, err := NewZeroCopy(f, ZeroCopyAuto, buf)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	go func() { _, _ = io.Copy(io.Discard, peer.(net.Conn)) }()
	var st ZeroCopyStats
	fdOf(t, f, func(fd int) {
		for calls := 0; z.Stats().Sends < sends && calls < 100*sends; calls++ {
			if _, errno := z.Send(fd, buf); errno != 0 && errno != syscall.EINTR && errno != syscall.EAGAIN {
				t.Fatalf("send: %v", errno)
			}
		}
		st = z.Finish(fd, 10*time.Second)
	})
	if !st.Switched || st.Mode != ZeroCopySendfile || st.MsgSends < switchAfter || st.MsgSends >= st.Sends ||
		st.Completed != st.MsgSends || st.Copied != st.Completed || st.Pending != 0 {
		t.Errorf("stats %+v: want MSG_ZEROCOPY's first sends completed and copied, then sendfile", st)
	}
}
