//go:build !linux || goperf_portable

package sockopt

func qdiscKinds(int) ([]string, error) { return nil, ErrUnsupported }
