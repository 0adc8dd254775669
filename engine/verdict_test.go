package engine

import (
	"strings"
	"testing"
	"time"
)

// TestDecide walks every branch of the verdict with the figures that
// should choose it, and checks that the line states them.
func TestDecide(t *testing.T) {
	busy := 10 * time.Second
	quiet := CPUUtil{Total: 20}
	for _, tt := range []struct {
		name string
		in   verdictInput
		want Limit
		says string
	}{
		{"reached rate", verdictInput{streams: 1, seconds: 10, asked: 1e8, delivered: 0.99e8, snd: quiet, rcv: quiet}, LimitPacing, "99.0 Mbits/sec of 100 Mbits/sec"},
		{"late pacer", verdictInput{streams: 1, seconds: 10, asked: 1e8, delivered: 0.9e8, late: time.Second, snd: quiet, rcv: quiet}, LimitTimer, "forfeited 1s"},
		{"socket overflow", verdictInput{streams: 1, seconds: 1, delivered: 1e9, snd: quiet, rcv: quiet, sent: 1000, udp: &UDPStats{Packets: 900, Lost: 100, SocketDrops: 90}}, LimitSocketBuffer, "90 of 1000"},
		{"path loss", verdictInput{streams: 1, seconds: 1, delivered: 1e9, snd: quiet, rcv: quiet, sent: 1000, udp: &UDPStats{Packets: 900, Lost: 100, SocketDrops: 0}}, LimitPathLoss, "100 of 1000"},
		{"tiny loss is no limit", verdictInput{streams: 1, seconds: 1, delivered: 1e9, snd: CPUUtil{Total: 99}, rcv: quiet, sent: 100000, udp: &UDPStats{Packets: 99999, Lost: 1, SocketDrops: 0}}, LimitSenderCPU, "99%"},
		{"starved receiver", verdictInput{streams: 1, seconds: 10, delivered: 1e9, snd: quiet, rcv: CPUUtil{Total: 50, Waited: 45}, hasLimits: true, limits: SenderLimits{Busy: busy, RwndLimited: 8 * time.Second}}, LimitReceiverCPU, "80%"},
		{"small window", verdictInput{streams: 1, seconds: 10, delivered: 1e9, snd: quiet, rcv: quiet, hasLimits: true, limits: SenderLimits{Busy: busy, RwndLimited: 9 * time.Second}}, LimitReceiveWindow, "90%"},
		{"small send buffer", verdictInput{streams: 1, seconds: 10, delivered: 1e9, snd: quiet, rcv: quiet, hasLimits: true, limits: SenderLimits{Busy: busy, SndbufLimited: 7 * time.Second}}, LimitSendBuffer, "70%"},
		{"busy sender", verdictInput{streams: 1, seconds: 10, delivered: 4e10, snd: CPUUtil{Total: 99}, rcv: CPUUtil{Total: 70}, hasLimits: true, limits: SenderLimits{Busy: busy}, retransmits: 3}, LimitSenderCPU, "99%"},
		{"congested path", verdictInput{streams: 1, seconds: 10, delivered: 1e8, snd: quiet, rcv: quiet, hasLimits: true, limits: SenderLimits{Busy: busy}, retransmits: 30}, LimitPath, "30 retransmits"},
		{"queued path", verdictInput{streams: 1, seconds: 10, delivered: 1e8, snd: quiet, rcv: quiet, hasLimits: true, limits: SenderLimits{Busy: busy, MinRTT: time.Millisecond, MeanRTT: 300 * time.Millisecond}}, LimitPath, "300ms against a least of 1ms"},
		{"spurious retransmits", verdictInput{streams: 1, seconds: 10, delivered: 1e8, snd: quiet, rcv: quiet, hasLimits: true, limits: SenderLimits{Busy: busy, Spurious: 30}, retransmits: 30}, LimitUnknown, "unknown"},
		{"some spurious", verdictInput{streams: 1, seconds: 10, delivered: 1e8, snd: quiet, rcv: quiet, hasLimits: true, limits: SenderLimits{Busy: busy, Spurious: 20}, retransmits: 30}, LimitPath, "30 retransmits, 20 of them spurious"},
		{"loopback has no path", verdictInput{streams: 1, seconds: 10, delivered: 1e10, snd: quiet, rcv: quiet, hasLimits: true, loopback: true, limits: SenderLimits{Busy: busy, MinRTT: time.Microsecond, MeanRTT: 80 * time.Microsecond}, retransmits: 300}, LimitUnknown, "unknown"},
		{"receiver kept waiting", verdictInput{streams: 1, seconds: 10, delivered: 1e10, snd: CPUUtil{Total: 60, Waited: 5}, rcv: CPUUtil{Total: 38, Waited: 42}, hasLimits: true, loopback: true, limits: SenderLimits{Busy: busy}}, LimitReceiverCPU, "waited for one 42%"},
		{"polling receiver is not busy", verdictInput{streams: 1, seconds: 1, delivered: 1e10, snd: CPUUtil{Total: 99}, rcv: CPUUtil{Total: 99, Polled: 70}, sent: 100000, udp: &UDPStats{Packets: 100000}}, LimitSenderCPU, "70% of it polling an empty socket"},
		{"busy receiver over loopback", verdictInput{streams: 1, seconds: 10, delivered: 1e10, snd: CPUUtil{Total: 40, Waited: 5}, rcv: CPUUtil{Total: 60, Waited: 35}, hasLimits: true, loopback: true, limits: SenderLimits{Busy: busy}}, LimitReceiverCPU, "used 60%"},
		{"a queue before a busy receiver", verdictInput{streams: 1, seconds: 10, delivered: 1e8, snd: CPUUtil{Total: 2, Waited: 2}, rcv: CPUUtil{Total: 51, Waited: 42}, hasLimits: true, limits: SenderLimits{Busy: busy, MinRTT: 20 * time.Microsecond, MeanRTT: 9 * time.Millisecond}}, LimitPath, "9ms against a least of 20µs"},
		{"a queue before a waiting receiver", verdictInput{streams: 1, seconds: 10, delivered: 1e8, snd: CPUUtil{Total: 1, Waited: 2}, rcv: CPUUtil{Total: 8, Waited: 28}, hasLimits: true, limits: SenderLimits{Busy: busy, MinRTT: 20 * time.Microsecond, MeanRTT: 9 * time.Millisecond}}, LimitPath, "9ms against a least of 20µs"},
		{"waiting less than running", verdictInput{streams: 1, seconds: 10, delivered: 1e10, snd: CPUUtil{Total: 60, Waited: 5}, rcv: CPUUtil{Total: 50, Waited: 30}, hasLimits: true, loopback: true, limits: SenderLimits{Busy: busy}}, LimitUnknown, "unknown"},
		{"descheduled, not blocked", verdictInput{streams: 1, seconds: 2, asked: 5e7, delivered: 4.89e7, blocked: 400 * time.Millisecond, snd: CPUUtil{Total: 30, Waited: 40}, rcv: quiet}, LimitSenderCPU, "waited for one 40%"},
		{"blocked UDP sender", verdictInput{streams: 1, seconds: 10, asked: 2e8, delivered: 1e8, blocked: 5 * time.Second, late: 5 * time.Second, snd: quiet, rcv: quiet}, LimitSendBuffer, "waited 5s"},
		{"nothing measured", verdictInput{streams: 1, seconds: 10, delivered: 1e8, snd: quiet, rcv: quiet}, LimitUnknown, "unknown"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := decide(tt.in)
			if v.Limit != tt.want || !strings.Contains(v.Text, tt.says) {
				t.Errorf("verdict %q: %s; want %q saying %q", v.Limit, v.Text, tt.want, tt.says)
			}
		})
	}
}
