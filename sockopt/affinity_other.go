//go:build !linux || goperf_portable

package sockopt

func pinThread([]int) ([]int, error) { return nil, ErrUnsupported }
func threadCPU() int                 { return -1 }
func allowedCPUs() ([]int, error)    { return nil, ErrUnsupported }
