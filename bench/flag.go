package bench

import "strings"

// StringList is a flag.Value that collects every use of a repeated flag,
// such as the further iperf3 binaries of bench/report and bench/compare.
type StringList []string

func (l *StringList) String() string { return strings.Join(*l, ",") }

// Set appends one use.
func (l *StringList) Set(v string) error { *l = append(*l, v); return nil }
