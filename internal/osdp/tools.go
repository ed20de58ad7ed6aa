package osdp

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"
)

// ScanOptions configures Scan.
type ScanOptions struct {
	// Baud is the line rate (for the timeout). Default 9600.
	Baud int
	// ReplyTimeout per address. Default 200 ms.
	ReplyTimeout time.Duration
	// Addresses to probe; nil means 0x00..0x7E.
	Addresses []byte
}

// ScanResult describes one PD that answered.
type ScanResult struct {
	Address byte
	ID      PDID
	Cap     PDCap
	// CapErr is set when the PD answered ID but not CAP.
	CapErr error
}

// Scan probes each address with osdp_ID (SQN 0) and, where a PD answers,
// osdp_CAP. It owns rw and closes it before returning. Probing all 127
// addresses takes about 127 × ReplyTimeout when the line is empty.
func Scan(ctx context.Context, rw io.ReadWriteCloser, opts ScanOptions) ([]ScanResult, error) {
	if opts.Baud <= 0 {
		opts.Baud = 9600
	}
	if opts.ReplyTimeout <= 0 {
		opts.ReplyTimeout = 200 * time.Millisecond
	}
	addrs := opts.Addresses
	if addrs == nil {
		for a := range MaxAddress + 1 {
			addrs = append(addrs, byte(a))
		}
	}
	l := newLink(rw, max(opts.ReplyTimeout, minWriteStall))
	defer l.close()

	ask := func(addr, seq byte, cmd Command) (Reply, error) {
		data, _ := cmd.MarshalData()
		f := Frame{Mark: true, Addr: addr, Seq: seq, CRC: true, Code: cmd.CommandCode(), Data: data}
		wire, err := f.Encode()
		if err != nil {
			return nil, err
		}
		rf, err := l.exchange(ctx, wire, addr, opts.ReplyTimeout+transmitTime(len(wire), opts.Baud))
		if err != nil {
			return nil, err
		}
		return DecodeReply(rf.Code, rf.Data)
	}
	var found []ScanResult
	for _, a := range addrs {
		r, err := ask(a, 0, IDRequest{})
		if ctx.Err() != nil {
			return found, ctx.Err()
		}
		if errors.Is(err, ErrTimeout) {
			continue
		}
		if err != nil && l.err != nil {
			return found, err // transport failure
		}
		id, ok := r.(PDID)
		if !ok {
			continue // NAK or garbage: something is there but not usable
		}
		res := ScanResult{Address: a, ID: id}
		cr, err := ask(a, 1, CapRequest{})
		if c, ok := cr.(PDCap); ok && err == nil {
			res.Cap = c
		} else if err != nil {
			res.CapErr = err
		} else {
			res.CapErr = ErrUnexpectedReply
		}
		found = append(found, res)
	}
	return found, nil
}

// KeysetOptions configures ProvisionKey.
type KeysetOptions struct {
	Address byte
	// CurrentKey is the PD's present SCBK; nil means it is in install mode
	// and answers SCBK-D.
	CurrentKey *Key
	// NewKey is installed with KEYSET. Store it before calling.
	NewKey Key
	// Config carries line timing; OnEvent and KeyProvider are replaced.
	Config Config
}

// ProvisionKey connects to one PD, runs the secure channel handshake with
// its current key (or SCBK-D), sends KEYSET with NewKey and confirms a new
// handshake under NewKey. It owns rw and closes it before returning.
func ProvisionKey(ctx context.Context, rw io.ReadWriteCloser, opts KeysetOptions) error {
	events := make(chan Event, 16)
	cfg := opts.Config
	cfg.OnEvent = func(e Event) {
		select {
		case events <- e:
		default: // only the first few link events matter here
		}
	}
	newKey := opts.NewKey
	cfg.KeyProvider = func(context.Context, byte, PDID) (Key, error) { return newKey, nil }
	bus, err := NewBus(rw, cfg, PDConfig{Address: opts.Address, Secure: true, SCBK: opts.CurrentKey})
	if err != nil {
		_ = rw.Close()
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	runErr := make(chan error, 1)
	go func() { runErr <- bus.Run(ctx) }()
	// Nothing outlives the call: cancelling ctx ends Run (which returns
	// promptly even mid-write) and SetKey.
	var setting sync.WaitGroup
	defer func() {
		cancel()
		<-runErr
		setting.Wait()
	}()
	setKeyErr := make(chan error, 1)
	rotating := false
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-runErr:
			runErr <- err // let the deferred wait see it
			if err == nil {
				err = ErrBusClosed
			}
			return err
		case err := <-setKeyErr:
			if err != nil {
				return err
			}
		case e := <-events:
			switch e := e.(type) {
			case EventProvisioned:
				return nil
			case EventOffline:
				return e.Err
			case EventOnline:
				if opts.CurrentKey != nil && !rotating {
					// Key rotation: the PD is online under its old key.
					// Once only: setKeyErr holds a single result.
					rotating = true
					setting.Add(1)
					go func() {
						defer setting.Done()
						setKeyErr <- bus.SetKey(ctx, opts.Address, newKey)
					}()
				}
			}
		}
	}
}
