package engine

import (
	"encoding/json"
)

// jsonReporter builds iperf3's -J document. In stream mode it writes each
// event as one line instead (--json-stream).
type jsonReporter struct {
	out       Output
	client    bool
	stream    bool
	info      *startInfo
	doc       jsonDoc
	intervals keeper   // what the document keeps of its intervals
	host      hostInfo // the version and system the document names
}

func newJSONReporter(out Output, client, stream bool, host hostInfo) *jsonReporter {
	j := &jsonReporter{out: out, client: client, stream: stream, host: host,
		doc: jsonDoc{Intervals: []jsonInterval{}, End: struct{}{}}}
	if !client {
		j.intervals.limit = maxKeptIntervals // see report_keep.go
	}
	return j
}

// event writes one --json-stream line.
func (j *jsonReporter) event(name string, data any) {
	b, err := json.Marshal(struct {
		Event string `json:"event"`
		Data  any    `json:"data"`
	}{name, data})
	if err == nil {
		b = append(b, '\n')
		_, _ = j.out.W.Write(b) // a broken stdout has nowhere to be reported
	}
}

// writeDocument prints the whole document at the end: always for -J,
// after the events for --json-stream-full-output.
func (j *jsonReporter) writeDocument() {
	if !j.stream || j.out.StreamFull {
		j.write()
	}
}

// write prints the whole document, indented as iperf3 does.
func (j *jsonReporter) write() {
	b, err := json.MarshalIndent(&j.doc, "", "\t")
	if err == nil {
		b = append(b, '\n')
		_, _ = j.out.W.Write(b)
	}
}

func (j *jsonReporter) started(si *startInfo) {
	j.info = si
	j.doc.Start = newJSONStart(si, j.host)
	j.doc.Title, j.doc.ExtraData = si.spec.Title, si.spec.ExtraData
	if j.stream {
		j.event("start", j.doc.Start)
	}
}

func (j *jsonReporter) interval(iv *Interval) {
	ji := newJSONInterval(iv, j.info.spec)
	if j.stream {
		j.event("interval", ji)
		if !j.out.StreamFull {
			return
		}
	}
	size := 0
	if j.intervals.limit > 0 {
		b, _ := json.Marshal(&ji) // plain data: cannot fail
		size = len(b)
	}
	if !j.intervals.keep(size) {
		j.doc.Goperf = &jsonDocExt{IntervalsDropped: j.intervals.dropped, IntervalsLimit: j.intervals.limit}
		return
	}
	j.doc.Intervals = append(j.doc.Intervals, ji)
}

func (j *jsonReporter) serverOutput(text string, doc json.RawMessage) {
	j.doc.ServerOutputText, j.doc.ServerOutputJSON = text, doc
	if j.stream {
		if text != "" {
			j.event("server_output_text", text)
		}
		if len(doc) > 0 {
			j.event("server_output_json", doc)
		}
	}
}

func (j *jsonReporter) finished(sum *Summary) {
	end := newJSONEnd(sum)
	if sum.Interrupted {
		j.doc.Error = interruptedText
	}
	j.doc.End = end
	if j.stream {
		if sum.Interrupted {
			j.event("error", interruptedText)
		}
		j.event("end", end)
	}
	j.writeDocument()
}

// interruptedText is the error of an interrupted client's document, in
// iperf3's words.
const interruptedText = "interrupt - the client has terminated"

func (j *jsonReporter) failed(err error) {
	if j.stream {
		j.event("error", err.Error())
		j.event("end", struct{}{}) // as iperf3: the stream always ends with end
	}
	if j.doc.Start == nil {
		j.doc.Start = jsonStartBare{Connected: []jsonConnected{}, Version: j.host.version, SystemInfo: j.host.system}
	}
	j.doc.Error = err.Error()
	j.doc.End = struct{}{}
	j.writeDocument()
}

// document returns the document so far, for a server's server_output_json.
func (j *jsonReporter) document() json.RawMessage {
	b, _ := json.Marshal(&j.doc) // plain data: cannot fail
	return b
}

// jsonDoc is iperf3's -J document.
type jsonDoc struct {
	Start            any             `json:"start"` // *jsonStart, or jsonStartBare after a failure before it
	Intervals        []jsonInterval  `json:"intervals"`
	End              any             `json:"end"`
	Error            string          `json:"error,omitempty"`
	Title            string          `json:"title,omitempty"`      // -T
	ExtraData        string          `json:"extra_data,omitempty"` // --extra-data
	ServerOutputJSON json.RawMessage `json:"server_output_json,omitempty"`
	ServerOutputText string          `json:"server_output_text,omitempty"`
	Goperf           *jsonDocExt     `json:"goperf,omitempty"`
}
