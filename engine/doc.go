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
// omit period (-O) and end a test that stops moving data. Senders are
// stopped with a past write deadline and receivers by closing the
// connection, never by polling a flag. On Linux the loops issue raw
// system calls inside RawConn callbacks when each stream can keep a P to
// itself (see IOMode); elsewhere they use net.Conn.
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
package engine
