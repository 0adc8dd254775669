package engine

import (
	"net"
	"runtime"
	"time"
)

// The latency probe's server side: a goperf client that asked for
// --latency connects one more TCP connection with the test's cookie before
// its data streams, and the server echoes what it reads there until the
// test ends. Its buffer is fixed, and a client that stops reading blocks
// only the echo's goroutine, which the end of the test releases.

// probeEcho echoes one probe connection.
type probeEcho struct {
	io   probeIO
	done chan struct{}
}

// echoProbe starts echoing conn, on a goroutine and thread of its own
// (probe_io.go); mode is the server's --io, procs the Ps of the process's
// thread loops.
func echoProbe(conn net.Conn, mode IOMode, procs *threadProcs) *probeEcho {
	e := &probeEcho{io: newProbeIO(conn, mode, procs), done: make(chan struct{})}
	go e.loop()
	return e
}

func (e *probeEcho) loop() {
	defer close(e.done)
	runtime.LockOSThread() // never unlocked: the thread ends with the echo
	var buf [256]byte
	for {
		n, err := e.io.await(buf[:], time.Time{})
		if n > 0 {
			if werr := e.io.write(buf[:n]); werr != nil {
				return
			}
			e.io.pass()
		}
		if err != nil {
			return // the client closed it, or the test ended
		}
	}
}

// close ends the echo and waits for its goroutine.
func (e *probeEcho) close() {
	e.io.shut()
	<-e.done
	e.io.close()
}

// takeProbe takes conn as the test's probe if it waits for one. The caller
// holds srv.mu.
func (ss *session) takeProbe(conn net.Conn) bool {
	if !ss.probeOpen {
		return false
	}
	ss.probeOpen = false
	ss.probe = echoProbe(conn, ss.srv.cfg.IO, &procs)
	return true
}

// openProbe makes the test wait for its probe, if the client asked for one.
func (ss *session) openProbe() {
	if !ss.goperf || !ss.spec.Latency {
		return
	}
	ss.srv.mu.Lock()
	ss.probeOpen = true
	ss.srv.mu.Unlock()
}

// closeProbe ends the probe's echo, if there is one.
func (ss *session) closeProbe() {
	ss.srv.mu.Lock()
	e := ss.probe
	ss.probe, ss.probeOpen = nil, false
	ss.srv.mu.Unlock()
	if e != nil {
		e.close()
	}
}
