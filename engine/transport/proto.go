package transport

// Proto is the transport a test runs over.
type Proto int

// The transports.
const (
	TCP Proto = iota
	UDP
)

// String returns "TCP" or "UDP".
func (p Proto) String() string {
	if p == UDP {
		return "UDP"
	}
	return "TCP"
}
