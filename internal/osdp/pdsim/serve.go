package pdsim

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/osdp"
)

// interFrameSilence is how long a gap within a frame may last before the
// partial frame is thrown away, as a real PD does.
const interFrameSilence = 200 * time.Millisecond

// Serve answers commands on rw for the given PDs, which share the line
// (multi-drop): each PD answers only its own address, replies from other
// devices are ignored, and a broadcast is answered only when a single PD is
// served. Serve returns when rw fails (io.EOF gives nil) or ctx is done; in
// the latter case rw is closed if it is an io.Closer.
func Serve(ctx context.Context, rw io.ReadWriter, pds ...*PD) error {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	if c, ok := rw.(io.Closer); ok {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-ctx.Done():
				_ = c.Close()
			case <-stop:
			}
		}()
	}
	defer func() {
		close(stop)
		wg.Wait()
	}()

	var parser osdp.Parser
	buf := make([]byte, 1024)
	last := time.Now()
	for {
		n, err := rw.Read(buf)
		if ctx.Err() != nil {
			return nil
		}
		if n > 0 {
			now := time.Now()
			if now.Sub(last) > interFrameSilence && parser.Buffered() > 0 {
				parser.Reset()
			}
			last = now
			parser.Feed(buf[:n])
			for f, ok := parser.Next(); ok; f, ok = parser.Next() {
				if out := dispatch(f, pds); out != nil {
					if _, err := rw.Write(out); err != nil {
						if ctx.Err() != nil {
							return nil // the write was cut off by the close
						}
						return err
					}
				}
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

func dispatch(f osdp.Frame, pds []*PD) []byte {
	if f.Reply {
		return nil
	}
	if f.Addr == osdp.AddrBroadcast {
		if len(pds) == 1 {
			return pds[0].Handle(f, osdp.AddrBroadcast)
		}
		return nil
	}
	for _, p := range pds {
		if p.Address() == f.Addr {
			return p.Handle(f, f.Addr)
		}
	}
	return nil
}

// ServeListener accepts connections on ln one at a time and serves the PDs
// on each until it closes (one CP owns the line at a time). It returns
// when ctx is done.
func ServeListener(ctx context.Context, ln net.Listener, pds ...*PD) error {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-ctx.Done():
		case <-stop:
		}
		_ = ln.Close()
	}()
	defer func() {
		close(stop)
		wg.Wait()
	}()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if err := Serve(ctx, c, pds...); err != nil && ctx.Err() == nil {
			_ = c.Close()
			continue
		}
		_ = c.Close()
	}
}

// ListenAndServe listens on a TCP address (e.g. ":4001") and serves the
// PDs: the body of `gatehouse osdp simulate --listen ADDR --address N`.
func ListenAndServe(ctx context.Context, address string, pds ...*PD) error {
	ln, err := net.Listen("tcp", address)
	if err != nil {
		return err
	}
	return ServeListener(ctx, ln, pds...)
}
