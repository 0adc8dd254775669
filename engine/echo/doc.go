// Package echo is goecho's behaviour: an echo server for TCP and UDP, the
// plain client that echoes lines from its input, and the measuring
// clients: closed-loop ping-pong and open-loop fixed-rate load, each
// reporting round-trip latency percentiles from a histogram that records
// without allocating.
//
// Like the rest of engine it prints nothing by itself: callers pass
// writers and a context, and get results and errors back.
package echo
