package engine

import (
	"errors"
	"time"
)

// errStopped ends a pacing wait when the test stops the stream.
var errStopped = errors.New("stream stopped")

// sendTCP writes the stream's buffer until a write fails, which is how the
// test stops it (a past write deadline or Close), or the budget runs out.
func (s *stream) sendTCP() error {
	if s.pacer != nil {
		s.timer = time.NewTimer(time.Hour)
		s.timer.Stop()
	}
	switch s.path {
	case pathThread:
		err := s.onThread(s.threadSendStep)
		s.finishZeroCopy(err)
		return err
	case pathRaw:
		err := s.rawLoop(s.rc.Write, s.writeFn)
		s.finishZeroCopy(err)
		return err
	}
	for {
		if done, err := s.sendStep(); done || err != nil {
			return err
		}
	}
}

// sendStep paces, writes one block through conn and counts it. It reports
// whether the budget is used up. It allocates nothing.
func (s *stream) sendStep() (bool, error) {
	if s.pacer != nil {
		if err := s.pace(len(s.buf)); err != nil {
			return false, err
		}
	}
	p, ok := s.nextBlock()
	if !ok {
		return true, noSpent(s.exit)
	}
	n, err := s.conn.Write(p)
	s.count(n)
	s.took(n)
	if s.pacer != nil {
		s.pacer.sent(time.Since(s.epoch), n)
	}
	if err != nil {
		return false, err
	}
	return s.budget != nil && s.budget.spend(true, n), nil
}

// noSpent is err, or nil for errSpent: the end of a budget or a file is
// no failure.
func noSpent(err error) error {
	if errors.Is(err, errSpent) {
		return nil
	}
	return err
}

// recvTCP reads into the stream's buffer until a read fails: the peer closed
// the stream, or the test closed it.
func (s *stream) recvTCP() error {
	switch s.path {
	case pathThread:
		return s.onThread(s.threadRecvStep)
	case pathRaw:
		return s.rawLoop(s.rc.Read, s.readFn)
	}
	for {
		if err := s.recvStep(); err != nil {
			return err
		}
	}
}

// recvStep reads once through conn and counts what came. Once the budget runs out it
// keeps reading, so a sender is never left blocked, but stops spending. It
// allocates nothing.
func (s *stream) recvStep() error {
	n, err := s.conn.Read(s.unread())
	s.count(n)
	if serr := s.stored(s.arrived(n)); serr != nil {
		return serr
	}
	if s.budget != nil && n > 0 && s.spendRecv(n) {
		s.budget = nil
	}
	return err
}
