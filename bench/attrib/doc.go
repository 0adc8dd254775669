// Package attrib reads a Go CPU profile and says where its time went:
// write/read system calls, the runtime's netpoller and scheduler, memory
// copies, garbage collection, the program's own code, and the rest. Every
// sample lands in exactly one category, so the categories add up to the
// profile's whole CPU time.
//
// It is what bench/report uses to explain, size by size, why small writes
// cost more per byte than large ones.
//
// It imports pprof's profile reader and nothing of goperf.
package attrib
