// Package wire encodes and decodes iperf3's control protocol and UDP
// datagram header, byte for byte as iperf3 3.12 to 3.21 put them on the wire.
//
// The control connection carries one-byte states (State), the 37-byte cookie
// (Cookie), and JSON documents framed by a four-byte big-endian length
// (ReadJSON, WriteJSON): the client's parameters (Params) and both sides'
// results (Results). A server reports failures with SERVER_ERROR, a state
// byte followed by two big-endian int32 values (ServerError).
//
// Decoding is strict about framing and size and tolerant about numbers:
// iperf3 3.12 writes -1 as 18446744073709551615 and prints integral doubles
// without a decimal point, so every integer field is an Int that accepts
// those forms. Encoding never writes a boolean flag as false, because stock
// iperf3 servers test flags for presence only.
//
// The package does no I/O policy: callers set deadlines on their connections.
//
// It imports only the standard library: never the engine, never sockopt.
package wire
