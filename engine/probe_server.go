package engine

import "net"

// The latency probe's server side: a goperf client that asked for
// --latency connects one more TCP connection with the test's cookie before
// its data streams, and the server echoes what it reads there until the
// test ends. Its buffer is fixed, and a client that stops reading blocks
// only the echo's goroutine, which the end of the test releases.

// probeEcho echoes one probe connection.
type probeEcho struct {
	conn net.Conn
	done chan struct{}
}

// echoProbe starts echoing conn.
func echoProbe(conn net.Conn) *probeEcho {
	e := &probeEcho{conn: conn, done: make(chan struct{})}
	go e.loop()
	return e
}

func (e *probeEcho) loop() {
	defer close(e.done)
	var buf [256]byte
	for {
		n, err := e.conn.Read(buf[:])
		if n > 0 {
			if _, werr := e.conn.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return // the client closed it, or the test ended
		}
	}
}

// close ends the echo and waits for its goroutine.
func (e *probeEcho) close() {
	_ = e.conn.Close()
	<-e.done
}

// takeProbe takes conn as the test's probe if it waits for one. The caller
// holds srv.mu.
func (ss *session) takeProbe(conn net.Conn) bool {
	if !ss.probeOpen {
		return false
	}
	ss.probeOpen = false
	ss.probe = echoProbe(conn)
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
