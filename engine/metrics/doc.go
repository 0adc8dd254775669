// Package metrics shows goperf to Prometheus: a server's account of the
// tests it serves (ServerMetrics, read from engine.Server.Stats at each
// scrape, so the data path is untouched), and a probe endpoint (Prober)
// that runs one client test per request against a goperf or stock iperf3
// server and answers with its results, as a blackbox-style exporter.
//
// The exposition is client_golang's: the ecosystem's own library writes
// the text and OpenMetrics formats, content negotiation included.
package metrics
