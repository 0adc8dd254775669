package metrics

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/goperf/goperf/engine"
)

// serverDescs are the server's metric families.
type serverDescs struct {
	started, completed, failed, refused, dropped *prometheus.Desc
	activeTests, activeStreams                   *prometheus.Desc
	received, sent                               *prometheus.Desc
	memReserved, memBudget                       *prometheus.Desc
	testDescs
}

// testDescs are the families of the recent tests: one info series per
// test with its labels, and numbers joined to it by the test label.
type testDescs struct {
	clientLabel                          bool
	info, success, seconds, end, streams *prometheus.Desc
	flowRate, flowBytes                  *prometheus.Desc
	retransmits, lost, jitter            *prometheus.Desc
}

func newServerDescs(clientLabel bool) serverDescs {
	return serverDescs{
		started:       desc("tests_started_total", "Tests admitted past their parameters."),
		completed:     desc("tests_completed_total", "Tests that ran and exchanged results."),
		failed:        desc("tests_failed_total", "Admitted tests that did not complete, by reason.", "reason"),
		refused:       desc("tests_refused_total", "Tests refused before they ran, by reason.", "reason"),
		dropped:       desc("connections_dropped_total", "Connections dropped before they named a test, by reason.", "reason"),
		activeTests:   desc("active_tests", "Tests being served now."),
		activeStreams: desc("active_streams", "Data streams of the tests being served now."),
		received:      desc("received_bytes_total", "Payload bytes the server's data streams received, running tests included.", "protocol"),
		sent:          desc("sent_bytes_total", "Payload bytes the server's data streams sent, running tests included.", "protocol"),
		memReserved:   desc("memory_reserved_bytes", "Buffer bytes the running tests hold."),
		memBudget:     desc("memory_budget_bytes", "Buffer bytes the tests running at once may hold (--memory-budget)."),
		testDescs:     newTestDescs(clientLabel),
	}
}

func newTestDescs(clientLabel bool) testDescs {
	info := []string{"test", "protocol", "direction", "result"}
	if clientLabel {
		info = append(info, "client")
	}
	return testDescs{
		clientLabel: clientLabel,
		info:        desc("test_info", "One of the last tests: its protocol, direction (the client's name for it) and result (completed, or why it failed).", info...),
		success:     desc("test_success", "1 if the test completed, else 0.", "test"),
		seconds:     desc("test_duration_seconds", "From the test's cookie to its end.", "test"),
		end:         desc("test_end_timestamp_seconds", "When the test ended, Unix time.", "test"),
		streams:     desc("test_streams", "Streams per direction.", "test"),
		flowRate:    desc("test_bytes_per_second", "Receiver's mean rate of a flow in bytes per second (× 8 for bit/s), by whether the server received or sent it.", "test", "flow"),
		flowBytes:   desc("test_bytes", "Bytes the receiver of a flow counted.", "test", "flow"),
		retransmits: desc("test_retransmits", "TCP retransmits the flow's sender counted, where it did.", "test", "flow"),
		lost:        desc("test_lost_datagrams", "UDP datagrams of the flow that never arrived.", "test", "flow"),
		jitter:      desc("test_jitter_seconds", "UDP jitter the flow's receiver measured.", "test", "flow"),
	}
}

// desc names a server family goperf_server_NAME.
func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName("goperf", "server", name), help, labels, nil)
}

func (d *serverDescs) describe(ch chan<- *prometheus.Desc) {
	for _, x := range []*prometheus.Desc{d.started, d.completed, d.failed, d.refused, d.dropped,
		d.activeTests, d.activeStreams, d.received, d.sent, d.memReserved, d.memBudget,
		d.info, d.success, d.seconds, d.end, d.streams, d.flowRate, d.flowBytes, d.retransmits, d.lost, d.jitter} {
		ch <- x
	}
}

// test sends rec's series.
func (d *testDescs) test(ch chan<- prometheus.Metric, rec *engine.TestRecord) {
	no := strconv.Itoa(rec.Number)
	result := "completed"
	if !rec.Completed {
		result = string(rec.Reason)
	}
	info := []string{no, protoLabel(rec.Proto), directionLabel(rec.Direction), result}
	if d.clientLabel {
		info = append(info, rec.Client.String())
	}
	ch <- gauge(d.info, 1, info...)
	ch <- gauge(d.success, boolValue(rec.Completed), no)
	ch <- gauge(d.seconds, rec.End.Sub(rec.Start).Seconds(), no)
	ch <- gauge(d.end, float64(rec.End.UnixNano())/1e9, no)
	ch <- gauge(d.streams, float64(rec.Streams), no)
	if rec.Summary == nil {
		return
	}
	for _, t := range []*engine.Totals{&rec.Summary.Forward, rec.Summary.Reverse} {
		if t != nil {
			d.flow(ch, no, t)
		}
	}
}

// flow sends one direction's series of a completed test, as the server
// saw it: "sent" when the server sent it.
func (d *testDescs) flow(ch chan<- prometheus.Metric, no string, t *engine.Totals) {
	flow := "received"
	if t.Local {
		flow = "sent"
	}
	ch <- gauge(d.flowRate, t.Receiver.BitsPerSecond()/8, no, flow)
	ch <- gauge(d.flowBytes, float64(t.Receiver.Bytes), no, flow)
	if t.Sender.Retransmits >= 0 && t.Sender.UDP == nil {
		ch <- gauge(d.retransmits, float64(t.Sender.Retransmits), no, flow)
	}
	if u := t.Receiver.UDP; u != nil {
		ch <- gauge(d.lost, float64(u.Lost), no, flow)
		ch <- gauge(d.jitter, u.Jitter, no, flow)
	}
}

// directionLabel is a test's direction as a label value.
func directionLabel(d engine.Direction) string {
	if d == engine.Bidir {
		return "bidir"
	}
	return d.String()
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
