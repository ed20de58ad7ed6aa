package osdp

import (
	"context"
	"fmt"
	"net"

	"go.bug.st/serial"
)

// DialTCP connects to an OSDP-over-TCP endpoint (a serial server, or the
// simulator's listener). The returned conn can be given to NewBus.
func DialTCP(ctx context.Context, address string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", address)
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		// Frames are tiny and latency-bound; never let Nagle hold one back.
		_ = tc.SetNoDelay(true)
	}
	return c, nil
}

// ListenTCP listens for OSDP-over-TCP connections, for setups where the
// line adapter connects out to the controller.
func ListenTCP(address string) (net.Listener, error) {
	return net.Listen("tcp", address)
}

// AcceptTCP waits for one connection on ln, or until ctx is done.
func AcceptTCP(ctx context.Context, ln net.Listener) (net.Conn, error) {
	type res struct {
		c   net.Conn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := ln.Accept()
		ch <- res{c, err}
	}()
	select {
	case r := <-ch:
		return r.c, r.err
	case <-ctx.Done():
		// Unblock Accept; the listener is unusable afterwards.
		_ = ln.Close()
		if r := <-ch; r.c != nil {
			_ = r.c.Close()
		}
		return nil, ctx.Err()
	}
}

// SerialPort is an RS-485 adapter opened with OpenSerial. It implements
// BaudRateSetter so that COMSET can change the line speed.
type SerialPort struct {
	serial.Port
}

// OpenSerial opens a serial device at baud, 8N1, as OSDP requires.
func OpenSerial(device string, baud int) (*SerialPort, error) {
	p, err := serial.Open(device, &serial.Mode{BaudRate: baud, DataBits: 8, Parity: serial.NoParity, StopBits: serial.OneStopBit})
	if err != nil {
		return nil, fmt.Errorf("osdp: open %s: %w", device, err)
	}
	return &SerialPort{Port: p}, nil
}

// SetBaudRate changes the line speed.
func (s *SerialPort) SetBaudRate(baud int) error {
	return s.SetMode(&serial.Mode{BaudRate: baud, DataBits: 8, Parity: serial.NoParity, StopBits: serial.OneStopBit})
}
