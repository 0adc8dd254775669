//go:build !linux || goperf_portable

package sockopt

import (
	"fmt"
	"syscall"
	"time"
)

// batchSys is never made here: NewBatcher fails first.
type batchSys struct{}

func newBatchSys(syscall.Conn, BatchConfig) (*batchSys, error) {
	return nil, fmt.Errorf("batched UDP I/O: %w", ErrUnsupported)
}

func (*batchSys) send([][]byte, int) (int, error)          { return 0, ErrUnsupported }
func (*batchSys) recv([][]byte, []int, []int) (int, error) { return 0, ErrUnsupported }
func (*batchSys) dropped() (uint32, bool)                  { return 0, false }
func (*batchSys) offload() (bool, bool)                    { return false, false }
func (*batchSys) syscalls() uint64                         { return 0 }
func (*batchSys) polledTime() time.Duration                { return 0 }
