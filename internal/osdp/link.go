package osdp

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"
)

// ErrTimeout means no valid reply arrived within the reply timeout.
var ErrTimeout = errors.New("osdp: reply timeout")

// ErrClosed is returned once the transport has been closed.
var ErrClosed = errors.New("osdp: transport closed")

// link performs one request/reply exchange at a time over a byte stream.
// A reader goroutine turns blocking Reads into channel messages so that the
// owner can wait for a reply with a timeout; io.ReadWriteCloser has no
// deadlines in general (pipes, ptys, serial ports).
type link struct {
	rw     io.ReadWriteCloser
	chunks chan []byte
	errc   chan error
	stop   chan struct{}
	wg     sync.WaitGroup
	parser Parser
	once   sync.Once
	err    error // sticky transport error
}

func newLink(rw io.ReadWriteCloser) *link {
	l := &link{rw: rw, chunks: make(chan []byte, 64), errc: make(chan error, 1), stop: make(chan struct{})}
	l.wg.Add(1)
	go l.readLoop()
	return l
}

func (l *link) readLoop() {
	defer l.wg.Done()
	for {
		buf := make([]byte, 512)
		n, err := l.rw.Read(buf)
		if n > 0 {
			select {
			case l.chunks <- buf[:n]:
			case <-l.stop:
				return
			}
		}
		if err != nil {
			l.errc <- err
			return
		}
	}
}

// close closes the transport, which unblocks the reader, and waits for it.
func (l *link) close() error {
	var err error
	l.once.Do(func() {
		close(l.stop)
		err = l.rw.Close()
		l.wg.Wait()
	})
	return err
}

// drain discards bytes that arrived outside an exchange: late replies to a
// timed-out command, line noise. Starting each exchange with an empty parser
// also recovers from a corrupted LEN that left it waiting for bytes.
func (l *link) drain() {
	for {
		select {
		case <-l.chunks:
		default:
			l.parser.Reset()
			return
		}
	}
}

// exchange writes wire and waits for a reply frame from addr. Frames with
// the reply bit clear (our own echo on 2-wire RS-485) and replies from
// other addresses are ignored.
func (l *link) exchange(ctx context.Context, wire []byte, addr byte, timeout time.Duration) (Frame, error) {
	if l.err != nil {
		return Frame{}, l.err
	}
	l.drain()
	if _, err := l.rw.Write(wire); err != nil {
		l.err = err
		return Frame{}, err
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return Frame{}, ctx.Err()
		case <-timer.C:
			return Frame{}, ErrTimeout
		case err := <-l.errc:
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) {
				err = ErrClosed
			}
			l.err = err
			return Frame{}, err
		case b := <-l.chunks:
			l.parser.Feed(b)
			for f, ok := l.parser.Next(); ok; f, ok = l.parser.Next() {
				if f.Reply && (f.Addr == addr || addr == AddrBroadcast) {
					return f, nil
				}
			}
		}
	}
}

// transmitTime is how long n bytes take on the wire at baud (8N1: 10 bits
// per byte).
func transmitTime(n, baud int) time.Duration {
	if baud <= 0 {
		return 0
	}
	return time.Duration(n) * 10 * time.Second / time.Duration(baud)
}
