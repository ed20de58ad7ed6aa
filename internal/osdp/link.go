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

// ErrWriteStalled means a frame could not be handed to the transport within
// the stall limit: the other end is not reading (a pipe or pty nobody
// drains, a TCP bridge that stopped, a serial port held by flow control).
// The transport is treated as failed.
var ErrWriteStalled = errors.New("osdp: transport write stalled")

// errCloseStuck means the transport's Close did not interrupt a pending
// Read or Write within linkCloseWait.
var errCloseStuck = errors.New("osdp: transport Close did not interrupt pending I/O; its goroutine is left behind")

// linkCloseWait bounds how long close waits for the reader and writer
// goroutines after closing the transport. A transport whose Close does not
// interrupt blocked I/O (a blocking os.File) would otherwise hang the
// caller forever.
const linkCloseWait = 2 * time.Second

// link performs one request/reply exchange at a time over a byte stream.
// Reads and writes run on goroutines of their own, so the owner never
// blocks on the transport: it waits for the write and then for a reply
// with a timeout and with its context. io.ReadWriteCloser has no deadlines
// in general (pipes, ptys, serial ports), and a Write blocks for as long as
// the other end does not read.
type link struct {
	rw     io.ReadWriteCloser
	chunks chan []byte
	errc   chan error  // the reader's final error; sent at most once
	writes chan []byte // to the writer; holds at most one frame
	wrote  chan error  // the writer's result, one per frame
	stop   chan struct{}
	wg     sync.WaitGroup
	parser Parser
	// stall bounds a single Write; see ErrWriteStalled.
	stall time.Duration
	// writing is set while a frame has been handed to the writer and its
	// result has not been collected (an exchange was cancelled mid-write).
	writing  bool
	once     sync.Once
	closeErr error
	err      error // sticky transport error
}

func newLink(rw io.ReadWriteCloser, stall time.Duration) *link {
	l := &link{
		rw:     rw,
		chunks: make(chan []byte, 64),
		errc:   make(chan error, 1),
		writes: make(chan []byte, 1),
		wrote:  make(chan error, 1),
		stop:   make(chan struct{}),
		stall:  stall,
	}
	l.wg.Add(2)
	go l.readLoop()
	go l.writeLoop()
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
			l.errc <- err // buffered, and the only send
			return
		}
	}
}

func (l *link) writeLoop() {
	defer l.wg.Done()
	for {
		select {
		case b := <-l.writes:
			_, err := l.rw.Write(b)
			// Never blocks: the owner collects each result before it
			// hands over the next frame.
			l.wrote <- err
		case <-l.stop:
			return
		}
	}
}

// close closes the transport, which unblocks the reader and the writer, and
// waits for them, but no longer than linkCloseWait.
func (l *link) close() error {
	l.once.Do(func() {
		close(l.stop)
		l.closeErr = l.rw.Close()
		done := make(chan struct{})
		go func() {
			l.wg.Wait()
			close(done)
		}()
		t := time.NewTimer(linkCloseWait)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
			l.closeErr = errors.Join(l.closeErr, errCloseStuck)
		}
	})
	return l.closeErr
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

// fail records a transport error; every later exchange returns it.
func (l *link) fail(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) {
		err = ErrClosed
	}
	l.err = err
	return err
}

// awaitWrite waits for the writer's result for the frame in flight.
func (l *link) awaitWrite(ctx context.Context) error {
	t := time.NewTimer(l.stall)
	defer t.Stop()
	select {
	case err := <-l.wrote:
		l.writing = false
		if err != nil {
			return l.fail(err)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return l.fail(ErrWriteStalled)
	}
}

// write puts wire on the line. It returns when the transport accepted it,
// when ctx is done, or with ErrWriteStalled after l.stall.
func (l *link) write(ctx context.Context, wire []byte) error {
	if l.writing {
		// A cancelled exchange left a frame in flight; the line is free
		// only once it is out.
		if err := l.awaitWrite(ctx); err != nil {
			return err
		}
	}
	l.writes <- wire // the writer is idle and the slot empty
	l.writing = true
	return l.awaitWrite(ctx)
}

// exchange writes wire and waits for a reply frame from addr. Frames with
// the reply bit clear (our own echo on 2-wire RS-485) and replies from
// other addresses are ignored.
func (l *link) exchange(ctx context.Context, wire []byte, addr byte, timeout time.Duration) (Frame, error) {
	if l.err != nil {
		return Frame{}, l.err
	}
	l.drain()
	if err := l.write(ctx, wire); err != nil {
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
			return Frame{}, l.fail(err)
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
