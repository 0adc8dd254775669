package engine

import (
	"time"
)

// The start of iperf3's -J document: the connections, the host, the
// test's parameters, and goperf's sockets.

type jsonStart struct {
	Connected          []jsonConnected `json:"connected"`
	Version            string          `json:"version"`
	SystemInfo         string          `json:"system_info"`
	Timestamp          *jsonTimestamp  `json:"timestamp,omitempty"`
	ConnectingTo       *jsonHostPort   `json:"connecting_to,omitempty"`
	AcceptedConnection *jsonHostPort   `json:"accepted_connection,omitempty"`
	Cookie             string          `json:"cookie,omitempty"`
	TCPMSSDefault      *int            `json:"tcp_mss_default,omitempty"`
	TCPMSS             *int            `json:"tcp_mss,omitempty"`
	TargetBitrate      uint64          `json:"target_bitrate"`
	FQRate             uint64          `json:"fq_rate"`
	SockBufsize        int             `json:"sock_bufsize"`
	SndbufActual       int             `json:"sndbuf_actual"`
	RcvbufActual       int             `json:"rcvbuf_actual"`
	TestStart          *jsonTestStart  `json:"test_start,omitempty"`
	Goperf             *jsonStartExt   `json:"goperf,omitempty"`
}

// jsonStartBare is the start of a document whose test never started.
type jsonStartBare struct {
	Connected  []jsonConnected `json:"connected"`
	Version    string          `json:"version"`
	SystemInfo string          `json:"system_info"`
}

type jsonConnected struct {
	Socket     int    `json:"socket"`
	LocalHost  string `json:"local_host"`
	LocalPort  int    `json:"local_port"`
	RemoteHost string `json:"remote_host"`
	RemotePort int    `json:"remote_port"`
}

type jsonTimestamp struct {
	Time          string `json:"time"`
	TimeSecs      int64  `json:"timesecs"`
	TimeMillisecs int64  `json:"timemillisecs"`
}

type jsonHostPort struct {
	Host string `json:"host"`
	Port int    `json:"port"`
}

type jsonTestStart struct {
	Protocol      string  `json:"protocol"`
	NumStreams    int     `json:"num_streams"`
	Blksize       int     `json:"blksize"`
	Omit          float64 `json:"omit"`
	Duration      float64 `json:"duration"`
	Bytes         uint64  `json:"bytes"`
	Blocks        uint64  `json:"blocks"`
	Reverse       int     `json:"reverse"`
	TOS           int     `json:"tos"`
	TargetBitrate uint64  `json:"target_bitrate"`
	Bidir         int     `json:"bidir"`
	FQRate        uint64  `json:"fqrate"`
	Interval      float64 `json:"interval"`
	GSO           int     `json:"gso"` // 1 when a local UDP sender uses GSO (iperf3: --gsro asked)
	GRO           int     `json:"gro"` // 1 when a local UDP receiver uses GRO
}

// jsonStartExt is goperf's addition to start: how the streams call the
// kernel, and each stream's socket options, asked and granted.
type jsonStartExt struct {
	IO      string       `json:"io"` // "raw" or "netconn", see IOMode
	Sockets []jsonSocket `json:"sockets"`
}

type jsonSocket struct {
	Socket     int        `json:"socket"`
	ID         int        `json:"id"`
	Asked      jsonSockIO `json:"asked"`
	Granted    jsonSockIO `json:"granted"`
	Congestion string     `json:"congestion,omitempty"`
	NoDelay    bool       `json:"nodelay"`
	// Read back from the kernel: the DF bit (--dont-fragment) and
	// TCP_USER_TIMEOUT (--snd-timeout), when set.
	DontFragment  bool `json:"dont_fragment,omitempty"`
	UserTimeoutMs int  `json:"user_timeout_ms,omitempty"`
	MPTCP         bool `json:"mptcp,omitempty"` // the stream runs Multipath TCP
	// MaxPacingRate is SO_MAX_PACING_RATE read back (--fq-rate), bytes/s.
	MaxPacingRate uint64 `json:"max_pacing_rate,omitempty"`
}

type jsonSockIO struct {
	SendBuffer int `json:"send_buffer"`
	RecvBuffer int `json:"recv_buffer"`
	MSS        int `json:"mss"`
	TOS        int `json:"tos"`
}

func newJSONStart(si *startInfo, host hostInfo) *jsonStart {
	sp := si.spec
	st := &jsonStart{
		Connected:     make([]jsonConnected, 0, len(si.streams)),
		Version:       host.version,
		SystemInfo:    host.system,
		Timestamp:     newJSONTimestamp(si.when),
		Cookie:        si.cookie,
		TargetBitrate: sp.Bitrate,
		FQRate:        sp.FQRate,
		SockBufsize:   sp.Window,
		TestStart:     newJSONTestStart(si),
		Goperf:        &jsonStartExt{Sockets: make([]jsonSocket, 0, len(si.streams))},
	}
	peer := &jsonHostPort{Host: si.peer, Port: si.peerPort}
	if si.client {
		st.ConnectingTo = peer
	} else {
		st.AcceptedConnection = peer
	}
	if sp.Proto == TCP {
		if mss := sp.MSS; mss > 0 {
			st.TCPMSS = &mss // as iperf3: what -M asked
		} else {
			mss := si.ctrlMSS
			st.TCPMSSDefault = &mss
		}
	}
	for _, s := range si.streams {
		st.Connected = append(st.Connected, jsonConnected{s.fd, s.local.host, s.local.port, s.remote.host, s.remote.port})
		st.Goperf.Sockets = append(st.Goperf.Sockets, jsonSocket{
			Socket:        s.fd,
			ID:            s.id,
			Asked:         jsonSockIO{s.asked.SendBuffer, s.asked.RecvBuffer, s.asked.MSS, s.asked.TOS},
			Granted:       jsonSockIO{s.granted.SendBuffer, s.granted.RecvBuffer, s.granted.MSS, s.granted.TOS},
			Congestion:    s.granted.Congestion,
			NoDelay:       s.granted.NoDelay,
			DontFragment:  s.granted.DontFragment,
			UserTimeoutMs: s.granted.UserTimeout,
			MPTCP:         s.mptcp,
			MaxPacingRate: s.granted.MaxPacingRate,
		})
	}
	if len(si.streams) > 0 {
		st.SndbufActual, st.RcvbufActual = si.streams[0].granted.SendBuffer, si.streams[0].granted.RecvBuffer
		st.Goperf.IO = si.streams[0].path.String()
	}
	return st
}

func newJSONTimestamp(t time.Time) *jsonTimestamp {
	return &jsonTimestamp{
		Time:          iperf3Time(t),
		TimeSecs:      t.Unix(),
		TimeMillisecs: t.UnixMilli(),
	}
}

func newJSONTestStart(si *startInfo) *jsonTestStart {
	sp := si.spec
	ts := &jsonTestStart{
		Protocol:      sp.Proto.String(),
		NumStreams:    sp.Streams,
		Blksize:       sp.Length,
		Omit:          sp.Omit.Seconds(),
		Duration:      sp.Duration.Seconds(),
		Bytes:         sp.Bytes,
		Blocks:        sp.Blocks,
		TOS:           sp.TOS,
		TargetBitrate: sp.Bitrate,
		FQRate:        sp.FQRate,
		Interval:      si.interval.Seconds(),
	}
	if sp.Direction == Reverse {
		ts.Reverse = 1
	}
	if sp.Direction == Bidir {
		ts.Bidir = 1
	}
	for _, s := range si.streams {
		ts.GSO, ts.GRO = max(ts.GSO, b2i(s.gso)), max(ts.GRO, b2i(s.gro))
	}
	return ts
}

// iperf3Time writes t as iperf3 writes its times, in -J's timestamp and
// -V's "Time:" lines: "Wed, 02 Dec 2026 02:18:14 GMT".
func iperf3Time(t time.Time) string { return t.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT") }
