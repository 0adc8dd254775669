// Package engine runs throughput tests over iperf3's wire protocol, as a
// client (RunClient) and as a server (Server) that serves several tests at
// once. It is everything goperf does, without a command line: callers pass
// a configuration, an Output (an io.Writer for reports, a Logger for
// diagnostics) and a context, and get a Summary or an error back.
//
// # Tests
//
// A Spec describes a test as both ends agree on it: protocol, streams,
// direction (Forward, Reverse, Bidir), buffer size, rate, and how it ends
// (a duration, a byte count or a block count). The client sends it as
// iperf3's parameter document; a server reads it back and validates it,
// answering a bad one with iperf3's SERVER_ERROR code so that a stock
// iperf3 client prints a sensible message.
//
// # Streams
//
// Each data connection is a stream run by one goroutine, with a buffer
// allocated once and counters that only that goroutine writes. A sampler
// reads the counters on a schedule to emit interval reports, handle the
// omit period (-O) and end a test that stops moving data. On Linux each
// stream runs as iperf3 3.16 and later run theirs, a thread loop: its
// socket blocking and out of Go's network poller, one system call per
// block, a P and a thread of its own for the test (thread.go). Such a loop
// is stopped by a halt flag it reads before each call, with the socket's
// timeout and shutdown(2) to end a call asleep in the kernel. Elsewhere,
// or when asked (IOMode), the loops use net.Conn or raw calls through the
// poller, and are stopped with a past deadline or by closing the
// connection.
//
// # Exact counts
//
// At the end of a test iperf3 stops counting when the receiver sees
// TEST_END, so bytes in flight make its receiver total smaller than its
// sender total. goperf stops its senders before it sends or acts on
// TEST_END, and its receivers read on: to EOF when the peer is goperf,
// which half-closes its sending streams (the peers recognise each other by
// a "goperf" key in the parameters and a GOPERF_HELLO state in reply), or
// until data stops arriving when the peer is stock iperf3. Between goperf
// peers, sender and receiver totals agree to the byte.
//
// # Reports
//
// Reports follow iperf3: text tables laid out as iperf3 lays them out, a
// -J document with iperf3's schema (goperf's additions under "goperf"
// keys), or one JSON object per line as events happen (--json-stream).
// Reporters take values (a start record per stream, Interval, Summary),
// so the golden tests play fixed tests through them (testdata/golden).
//
// # Packages
//
// engine imports its subpackages (wire: the protocol's messages; auth:
// iperf3's RSA authentication; the leaves output, transport, units and
// version, which goecho's engine/echo shares) and sockopt, which alone
// speaks to the kernel beyond the standard library. Nothing below engine
// imports it back (TestLayout).
package engine
