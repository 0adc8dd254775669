package engine

import (
	"bytes"
	"os"
	"strconv"
)

// procField reads the number after key (such as "Threads:") in a
// /proc file of "Key: value" lines, without a unit such as " kB".
func procField(path, key string) (int64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	i := bytes.Index(b, []byte(key))
	if i < 0 || (i > 0 && b[i-1] != '\n') {
		return 0, false
	}
	line, _, _ := bytes.Cut(b[i+len(key):], []byte("\n"))
	n, err := strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(line), []byte(" kB"))), 10, 64)
	return n, err == nil
}
