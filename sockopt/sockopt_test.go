package sockopt

import "testing"

// TestPortableFallback exercises what every platform shares.
func TestPortableFallback(t *testing.T) {
	if isTCP("udp") || !isTCP("tcp6") || !isIPv6("udp6") || isIPv6("tcp") {
		t.Error("network name helpers")
	}
}
