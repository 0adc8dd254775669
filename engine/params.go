package engine

import (
	"math"
	"time"

	"github.com/goperf/goperf/engine/wire"
	"github.com/goperf/goperf/sockopt"
)

// clientVersion is what goperf sends as client_version. Servers never read
// it; it only shows up in captures.
const clientVersion = "goperf"

// params converts s to the parameter document a client sends.
func (s *Spec) params() *wire.Params {
	p := &wire.Params{
		Omit:             wire.Int(secondsCeil(s.Omit)),
		Time:             wire.Int(secondsCeil(s.Duration)),
		Num:              wire.Int(s.Bytes),
		BlockCount:       wire.Int(s.Blocks),
		MSS:              wire.Int(s.MSS),
		NoDelay:          wire.Flag(s.NoDelay),
		Parallel:         wire.Int(s.Streams),
		Reverse:          wire.Flag(s.Direction == Reverse),
		Bidirectional:    wire.Flag(s.Direction == Bidir),
		Window:           wire.Int(s.Window),
		Len:              wire.Int(s.Length),
		Bandwidth:        wire.Int(s.Bitrate),
		FQRate:           wire.Int(s.FQRate),
		PacingTimer:      wire.Int(pacingTimerMicros(s.PacingTimer)),
		Burst:            wire.Int(s.Burst),
		TOS:              wire.Int(s.TOS),
		Title:            s.Title,
		ExtraData:        s.ExtraData,
		Congestion:       s.Congestion,
		GetServerOutput:  wire.IntFlag(s.GetServerOutput),
		UDPCounters64Bit: wire.IntFlag(s.UDP64Bit),
		RepeatingPayload: wire.IntFlag(s.RepeatingPayload),
		DontFragment:     wire.IntFlag(s.DontFragment),
		MPTCP:            wire.Flag(s.MPTCP),
		ZeroCopy:         wire.IntFlag(s.ZeroCopy),
		SkipRxCopy:       wire.IntFlag(s.SkipRxCopy),
		FlowLabel:        wire.Int(s.FlowLabel),
		ClientVersion:    clientVersion,
		Goperf:           &wire.Ext{V: wire.ExtVersion, NoGSO: s.NoGSO, NoGRO: s.NoGRO, Latency: s.Latency},
	}
	if len(s.ServerCPUs) > 0 {
		n := wire.Int(s.ServerCPUs[0])
		p.ServerAffinity = &n
	}
	if s.RecvSpin != 0 { // 0: the server's own
		us := recvSpin(s.RecvSpin).Microseconds()
		p.Goperf.RecvSpinUs = &us
	}
	if s.ZeroCopy && s.ZeroCopyMode != sockopt.ZeroCopyAuto {
		p.Goperf.ZeroCopy = s.ZeroCopyMode.String()
	}
	if s.Proto == UDP {
		p.UDP = true
	} else {
		p.TCP = true
	}
	if s.Bytes > 0 || s.Blocks > 0 {
		p.Time = 0 // iperf3 sends time 0 with -n and -k
	}
	return p
}

// specFromParams converts a client's parameter document to a Spec and
// validates it. Errors carry the iperf3 code to report.
func specFromParams(p *wire.Params) (*Spec, error) {
	s := &Spec{
		Streams:          intOf(p.Parallel),
		Length:           intOf(p.Len),
		Omit:             seconds(p.Omit),
		Duration:         seconds(p.Time),
		Window:           intOf(p.Window),
		MSS:              intOf(p.MSS),
		NoDelay:          bool(p.NoDelay),
		Congestion:       p.Congestion,
		TOS:              intOf(p.TOS),
		Title:            p.Title,
		ExtraData:        p.ExtraData,
		GetServerOutput:  bool(p.GetServerOutput),
		UDP64Bit:         bool(p.UDPCounters64Bit),
		RepeatingPayload: bool(p.RepeatingPayload),
		DontFragment:     bool(p.DontFragment),
		MPTCP:            bool(p.MPTCP),
		PacingTimer:      pacingTimerOf(p.PacingTimer),
		Burst:            int(min(max(p.Burst, 0), MaxBurst)),
		ZeroCopy:         bool(p.ZeroCopy),
		SkipRxCopy:       bool(p.SkipRxCopy),
	}
	if a := p.ServerAffinity; a != nil {
		if *a < 0 || *a > MaxCPU {
			return nil, specErr(wire.CodeAffinity, "server_affinity must be 0 to %d, got %d", MaxCPU, *a)
		}
		s.ServerCPUs = []int{int(*a)}
	}
	if p.Goperf != nil {
		s.NoGSO, s.NoGRO, s.Latency = p.Goperf.NoGSO, p.Goperf.NoGRO, p.Goperf.Latency
		s.RecvSpin = spinOfWire(p.Goperf.RecvSpinUs)
	}
	if p.Goperf != nil && p.Goperf.ZeroCopy != "" {
		m, err := sockopt.ParseZeroCopyMode(p.Goperf.ZeroCopy)
		if err != nil {
			return nil, specErr(wire.CodeRecvParams, "%v", err)
		}
		s.ZeroCopyMode = m
	}
	tcp, udp, sctp := bool(p.TCP), bool(p.UDP), bool(p.SCTP)
	switch {
	case udp && !tcp && !sctp:
		s.Proto = UDP
	case tcp && !udp && !sctp:
		s.Proto = TCP
	default:
		return nil, specErr(wire.CodeRecvParams, "parameters name no protocol, several, or SCTP (goperf speaks TCP and UDP)")
	}
	switch reverse, bidir := bool(p.Reverse), bool(p.Bidirectional); {
	case reverse && bidir:
		return nil, specErr(wire.CodeRecvParams, "parameters ask for reverse and bidirectional at once")
	case reverse:
		s.Direction = Reverse
	case bidir:
		s.Direction = Bidir
	}
	if p.Num < 0 || p.BlockCount < 0 || p.Bandwidth < 0 || p.FQRate < 0 {
		return nil, specErr(wire.CodeRecvParams, "negative byte count, block count or rate")
	}
	if p.Time < 0 || p.Time > maxSeconds {
		return nil, specErr(wire.CodeDuration, "duration must be 0 to %d seconds, got %d", maxSeconds, p.Time)
	}
	if p.Omit < 0 || p.Omit > wire.Int(MaxOmit/time.Second) {
		return nil, specErr(wire.CodeOmit, "omit must be 0 to %d seconds, got %d", MaxOmit/time.Second, p.Omit)
	}
	s.Bytes, s.Blocks = uint64(p.Num), uint64(p.BlockCount)
	s.Bitrate, s.FQRate = uint64(p.Bandwidth), uint64(p.FQRate)
	if err := s.validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// intOf converts n to an int, saturating where int has 32 bits, so that a
// value out of range stays out of range for validate instead of wrapping
// into it (4294967297 streams must not become 1).
func intOf(n wire.Int) int {
	return int(max(min(int64(n), math.MaxInt), math.MinInt))
}

// seconds converts whole seconds to a duration.
func seconds(n wire.Int) time.Duration {
	return time.Duration(n) * time.Second
}

// secondsCeil converts d to whole seconds for the wire, rounding up so that a
// stock server's timers never end a test before the client does.
func secondsCeil(d time.Duration) int64 {
	return int64((d + time.Second - 1) / time.Second)
}

// defaultPacingTimer is iperf3's --pacing-timer default, in µs, which a
// stock client always sends.
const defaultPacingTimer = 1000

// pacingTimerMicros is the parameter for timer t: iperf3's default when
// none was asked.
func pacingTimerMicros(t time.Duration) int64 {
	if t <= 0 {
		return defaultPacingTimer
	}
	return t.Microseconds()
}

// pacingTimerOf reads the parameter back: iperf3's default, or nonsense,
// means exact pacing (0); other values are the timer asked, capped at a
// second.
func pacingTimerOf(us wire.Int) time.Duration {
	if us <= 0 || us == defaultPacingTimer {
		return 0
	}
	return min(time.Duration(us)*time.Microsecond, time.Second)
}

// spinOfWire is a client's recv_spin_us as Spec.RecvSpin: absent, the
// server's own (0); 0 or less, never.
func spinOfWire(us *int64) time.Duration {
	switch {
	case us == nil:
		return 0
	case *us <= 0:
		return -1
	}
	return time.Duration(min(*us, int64(MaxRecvSpin/time.Microsecond))) * time.Microsecond
}
