// Package samples gives tests the iperf3 messages captured in the
// module's testdata/iperf3 folder.
//
// It imports only the standard library and is for tests.
package samples
