// Package echo is goecho without its command line: an echo server for TCP
// and UDP, a client that echoes lines (plain mode), and a latency
// instrument that measures round trips through any echo server that
// returns what it is sent.
//
// # Server
//
// A Server echoes every TCP connection in its own goroutine, with a buffer
// allocated once per connection, and every UDP datagram back to its
// sender from a single goroutine and buffer. A TCP connection that moves
// nothing for the idle timeout is closed; beyond the connection limit a
// new connection gets one line, "goecho: server busy: N connections", and
// is closed. Bad peers (garbage, half-closes, silence, resets) cost only
// their own goroutine.
//
// # Plain mode
//
// Plain sends each line it reads, waits for the echo and writes it out.
// A line longer than the buffer is sent in buffer-sized pieces: over TCP
// the pieces form one stream and the echo comes back whole; over UDP each
// piece is its own datagram, sent after the previous one came back, and
// the client says so on its logger.
//
// # Measuring mode
//
// Measure runs ping-pong over one or more connections. Closed loop (Rate
// zero) sends the next message when the previous echo is back. Open loop
// (Rate set) sends at fixed intended times, start + i/Rate, whatever the
// echoes do, and measures each round trip from the intended send time, so
// a stall shows up in every message it delays rather than in one (no
// coordinated omission). Messages carry a sequence number and their send
// time; every echo is compared byte for byte with what was sent; UDP
// messages not echoed within the timeout count as lost. Round trips go
// into a log-linear Histogram (no allocation per message) whose
// percentiles are within 0.4% of the exact values; min, max, mean and
// standard deviation are exact.
//
// # Busy-polling
//
// Waking a thread parked in epoll costs tens of microseconds on many
// machines, more than a loopback round trip, so on Linux both sides
// busy-poll their sockets for a short window (DefaultSpin) before they
// park (spin.go, udpspin.go): the client after each send in a closed loop
// (a CPU to spare per connection), the server after each echo on its
// first GOMAXPROCS-1 TCP connections and on its UDP socket. Both read and
// write with raw system calls inside syscall.RawConn callbacks: through
// net.Conn, a write enters the runtime's syscall path, and a long enough
// one lets the system monitor hand the spinner's P away, which keeps the
// monitor waking every 20 µs and takes a CPU from the spinners. For the
// same reason a UDP client sets its read deadline once per lost timeout,
// not once per message, so a lost message is given up within twice the
// timeout. Spin -1 (goecho --spin 0) waits in the network poller only.
//
// # Imports
//
// echo imports the leaves it shares with goperf's engine (engine/output,
// engine/transport, engine/units) and sockopt, never the engine itself, so
// goecho does not link the iperf3 protocol (TestLayout holds this).
package echo
