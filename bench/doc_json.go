package bench

// clientDoc is the part of a client's -J document the benchmarks read:
// iperf3's keys, and goperf's UDP accounts where goperf wrote it.
type clientDoc struct {
	Error     string
	Intervals []struct {
		Sum struct {
			BitsPerSecond float64 `json:"bits_per_second"`
		}
	}
	End struct {
		Streams []struct {
			Receiver *jsonSum
		}
		SumSent     jsonSum `json:"sum_sent"`
		SumReceived jsonSum `json:"sum_received"`
		CPU         struct {
			HostTotal   float64 `json:"host_total"`
			RemoteTotal float64 `json:"remote_total"`
		} `json:"cpu_utilization_percent"`
		Goperf struct {
			Streams []struct {
				Sent       uint64
				SenderIO   *jsonIO `json:"sender_io"`
				ReceiverIO *jsonIO `json:"receiver_io"`
			}
		}
	}
}

type jsonSum struct {
	Bytes         uint64
	BitsPerSecond float64 `json:"bits_per_second"`
	LostPercent   float64 `json:"lost_percent"`
}

type jsonIO struct {
	Syscalls uint64
	Batch    int
	GSO, GRO bool
}

// result extracts a Result.
func (d *clientDoc) result() Result {
	e := d.End
	r := Result{
		Sent: e.SumSent.Bytes, Received: e.SumReceived.Bytes,
		Gbps: e.SumReceived.BitsPerSecond / 1e9, SenderGbps: e.SumSent.BitsPerSecond / 1e9,
		ClientCPU: e.CPU.HostTotal, ServerCPU: e.CPU.RemoteTotal,
		LostPercent: e.SumReceived.LostPercent,
	}
	for _, s := range e.Streams {
		if s.Receiver != nil {
			r.StreamGbps = append(r.StreamGbps, s.Receiver.BitsPerSecond/1e9)
		}
	}
	for _, iv := range d.Intervals {
		r.Intervals = append(r.Intervals, iv.Sum.BitsPerSecond/1e9)
	}
	for _, s := range e.Goperf.Streams {
		r.Datagrams += s.Sent
		if io := s.SenderIO; io != nil {
			r.SenderSyscalls += io.Syscalls
			r.SenderBatch, r.SenderGSO = io.Batch, io.GSO
		}
		if io := s.ReceiverIO; io != nil {
			r.RecvSyscalls += io.Syscalls
			r.ReceiverBatch, r.ReceiverGRO = io.Batch, io.GRO
		}
	}
	return r
}
