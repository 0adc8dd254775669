package sockopt

import (
	"fmt"
	"syscall"
)

// Zero-copy sending hands the kernel a TCP stream's block without copying
// it into the socket, in one of two ways:
//
//   - MSG_ZEROCOPY (Linux 4.14): each send pins the block's pages, and the
//     kernel reports on the socket's error queue when it has let them go,
//     flagging the sends it copied after all (SO_EE_CODE_ZEROCOPY_COPIED:
//     on loopback and veth every delivery to a local socket is copied).
//     The block must not change until its send completes; a sender that
//     never rewrites its block meets that without waiting.
//   - sendfile(2), as iperf3's -Z: the block lives in an unlinked file
//     in the temporary directory (a memory file where none can be made),
//     and the kernel sends from its page cache. No completion exists to
//     count.
//
// Where MSG_ZEROCOPY is missing, NewZeroCopy falls back to sendfile; where
// neither is, it returns ErrUnsupported. In ZeroCopyAuto, a sender whose
// first completions all come back copied (a peer on this host, which
// MSG_ZEROCOPY only slows: it pins pages and then copies anyway) goes on
// with sendfile, and its stats say so.

// ZeroCopyMode is how a ZeroCopy sends.
type ZeroCopyMode int

// The modes. ZeroCopyAuto is MSG_ZEROCOPY where the kernel has it, else
// sendfile.
const (
	ZeroCopyAuto ZeroCopyMode = iota
	ZeroCopyMsg
	ZeroCopySendfile
)

// String names the mode as goperf's --zerocopy takes it.
func (m ZeroCopyMode) String() string {
	switch m {
	case ZeroCopyMsg:
		return "msg"
	case ZeroCopySendfile:
		return "sendfile"
	}
	return "auto"
}

// ParseZeroCopyMode reads a mode's name.
func ParseZeroCopyMode(s string) (ZeroCopyMode, error) {
	for _, m := range []ZeroCopyMode{ZeroCopyAuto, ZeroCopyMsg, ZeroCopySendfile} {
		if s == m.String() {
			return m, nil
		}
	}
	return 0, fmt.Errorf("invalid zero-copy mode %q (want msg, sendfile or auto)", s)
}

// ZeroCopyStats is what a ZeroCopy did. Sends counts the calls that moved
// data, MsgSends those of them made with MSG_ZEROCOPY: Completed of those
// were reported done by the kernel and Copied of these were copied after
// all. Pending is MsgSends - Completed: sends whose completion had not
// come when Finish gave up.
type ZeroCopyStats struct {
	Mode                                        ZeroCopyMode // what ran last: ZeroCopyMsg or ZeroCopySendfile
	Sends, MsgSends, Completed, Copied, Pending uint64
	// Switched: ZeroCopyAuto found MSG_ZEROCOPY's first completions all
	// copied and went on with sendfile.
	Switched bool
}

// switchAfter is how many completions, all copied, make ZeroCopyAuto
// give MSG_ZEROCOPY up for sendfile.
const switchAfter = 64

// NewZeroCopy prepares conn, a connected TCP socket, to send block
// without copying it, in mode (ZeroCopyAuto: the best the kernel has).
// The block is copied once, for sendfile, into a file (newSendfile); Send sends
// len(p) bytes of it whatever p holds. Close releases the file.
func NewZeroCopy(conn syscall.Conn, mode ZeroCopyMode, block []byte) (*ZeroCopy, error) {
	var z *ZeroCopy
	err := withFD(conn, func(fd int) error {
		var err error
		z, err = newZeroCopy(fd, mode, block)
		return err
	})
	return z, err
}
