package units

import "fmt"

// BufferSize is a ByteSize for a buffer: 1 byte to MaxBuffer. Each tool
// checks its own narrower limits (a TCP write, a datagram) where it knows
// the protocol.
type BufferSize struct {
	ByteSize
}

// MaxBuffer bounds a BufferSize: what a command line may ask one buffer
// to hold.
const MaxBuffer = 1 << 30

// UnmarshalText implements encoding.TextUnmarshaler.
func (b *BufferSize) UnmarshalText(text []byte) error {
	if err := b.ByteSize.UnmarshalText(text); err != nil {
		return err
	}
	if b.ByteSize == 0 || b.ByteSize > MaxBuffer {
		return fmt.Errorf("buffer size must be 1 byte to 1G, got %q", text)
	}
	return nil
}
