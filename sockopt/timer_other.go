//go:build !linux || goperf_portable

package sockopt

import "time"

func sleep(d time.Duration) { time.Sleep(d) }

func setTimerSlack(int) (int, error) { return 0, ErrUnsupported }
