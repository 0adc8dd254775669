// Package enginetest holds what the tests of goperf's packages and
// commands share: a buffer that concurrent writers may use, and child
// processes whose output is captured and which never outlive their test,
// and the burst of a packet capture (Burst, ReadPcap).
// Like net/http/httptest, it is imported by tests only.
package enginetest
