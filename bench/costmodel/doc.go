// Package costmodel fits the simplest model of a sender that explains a
// throughput curve: each write costs a fixed a (the system call, the
// runtime's bookkeeping, waking the peer) plus c per byte (copying,
// checksums, the TCP stack), so a write of s bytes takes a + c·s and the
// rate is s / (a + c·s). Small writes are dominated by a, large ones by c;
// the rate flattens at 1/c and reaches 90% of it at s = 9a/c.
//
// It imports montanaflynn/stats and nothing of goperf.
package costmodel
