package osdp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Bus errors.
var (
	ErrOffline           = errors.New("osdp: PD offline")
	ErrUnknownPD         = errors.New("osdp: no such PD on this bus")
	ErrBusClosed         = errors.New("osdp: bus stopped")
	ErrSecureChannel     = errors.New("osdp: secure channel handshake failed")
	ErrSecureUnsupported = errors.New("osdp: PD does not offer the secure channel")
	ErrNoKeyProvider     = errors.New("osdp: PD is in install mode but no KeyProvider is configured")
	ErrSequence          = errors.New("osdp: reply sequence number mismatch")
	ErrUnexpectedReply   = errors.New("osdp: unexpected reply")
)

// Config holds bus-wide settings. Zero values select the defaults noted.
type Config struct {
	// Baud is the line rate, used to add the frame's transmit time to the
	// reply timeout. Default 9600.
	Baud int
	// ReplyTimeout is how long a PD has to start answering (the standard
	// gives it 200 ms). Default 200 ms.
	ReplyTimeout time.Duration
	// PollInterval is the idle time between polls of one online PD. It must
	// stay far below the PD's 8 s secure channel timeout. Default 50 ms.
	PollInterval time.Duration
	// RetryInterval is the pause before resending an unanswered command.
	// Other PDs are served meanwhile. Default 300 ms.
	RetryInterval time.Duration
	// BusyRetry is the pause before resending after osdp_BUSY. Default 300 ms.
	BusyRetry time.Duration
	// OfflineTimeout is how long a PD may go without a valid reply before it
	// is declared offline. Default 8 s, the standard's off-line time.
	OfflineTimeout time.Duration
	// ReconnectMin and ReconnectMax bound the exponential back-off between
	// probes of an offline PD. Defaults 500 ms and 10 s.
	ReconnectMin, ReconnectMax time.Duration
	// OnEvent receives events on the bus goroutine. It must not block for
	// long: the whole line waits while it runs.
	OnEvent func(Event)
	// KeyProvider supplies the SCBK for a PD found in install mode (SCBK-D).
	// It must durably store the key before returning nil: the bus sends
	// KEYSET only afterwards, and once the PD has acknowledged, the new key
	// is the only one it accepts. The PD counts as provisioned
	// (EventProvisioned) once a handshake under the new key succeeds. It
	// runs on the bus goroutine.
	KeyProvider func(ctx context.Context, addr byte, id PDID) (Key, error)
	// Logger receives diagnostics; it never gets keys or card data.
	Logger *slog.Logger
}

func (c *Config) setDefaults() error {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if c.Baud <= 0 {
		c.Baud = 9600
	}
	def(&c.ReplyTimeout, 200*time.Millisecond)
	def(&c.PollInterval, 50*time.Millisecond)
	def(&c.RetryInterval, 300*time.Millisecond)
	def(&c.BusyRetry, 300*time.Millisecond)
	def(&c.OfflineTimeout, 8*time.Second)
	def(&c.ReconnectMin, 500*time.Millisecond)
	def(&c.ReconnectMax, 10*time.Second)
	if c.ReconnectMax < c.ReconnectMin {
		c.ReconnectMax = c.ReconnectMin
	}
	if c.PollInterval > 2*time.Second {
		return errors.New("osdp: PollInterval above 2 s risks the PD's 8 s secure channel timeout")
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// PDConfig describes one peripheral on the line.
type PDConfig struct {
	Address byte
	// Secure requires the AES secure channel. A secure PD is never used in
	// plaintext: if the handshake fails it stays offline.
	Secure bool
	// SCBK is the PD's key. Nil means the PD is expected in install mode:
	// the bus handshakes with SCBK-D and provisions a key from
	// Config.KeyProvider.
	SCBK *Key
	// InstallFallback lets the bus try SCBK-D when the handshake with SCBK
	// fails (a factory-reset reader). Leave it off once provisioning has
	// been confirmed: it lets a swapped reader be re-keyed.
	InstallFallback bool
}

// PDStatus is a snapshot of one PD's link.
type PDStatus struct {
	Address byte
	Online  bool
	Secure  bool
	ID      PDID
	Cap     PDCap
}

// BusStats counts line activity since Run started.
type BusStats struct {
	Exchanges, Timeouts, Retries uint64
}

// BaudRateSetter is implemented by transports that can change line speed
// (serial ports); COMSET uses it.
type BaudRateSetter interface {
	SetBaudRate(baud int) error
}

// Bus drives one multi-drop line as the control panel. Run owns the
// transport; other methods are safe for concurrent use.
type Bus struct {
	cfg      Config
	rw       io.ReadWriteCloser
	pds      []*pdConn
	requests chan *request
	done     chan struct{}
	started  atomic.Bool
	next     int

	exchanges, timeouts, retries atomic.Uint64

	mu     sync.Mutex
	status map[byte]PDStatus // keyed by configured address
}

type request struct {
	ctx    context.Context
	addr   byte
	cmd    Command
	setKey *Key
	result chan result
}

type result struct {
	reply Reply
	err   error
}

func (r *request) finish(reply Reply, err error) {
	select {
	case r.result <- result{reply, err}:
	default: // already answered
	}
}

// NewBus prepares a bus over rw for the given PDs. Call Run to start it.
// rw's Close should interrupt a pending Read or Write (true for net.Conn,
// SerialPort and non-blocking files), because Run stops its reader and
// writer goroutines that way. With a transport whose Close does not (a
// blocking os.File), Run still returns, but a goroutine stays blocked in
// the transport until the call returns on its own.
func NewBus(rw io.ReadWriteCloser, cfg Config, pds ...PDConfig) (*Bus, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	b := &Bus{cfg: cfg, rw: rw, requests: make(chan *request), done: make(chan struct{}), status: map[byte]PDStatus{}}
	seen := map[byte]bool{}
	for _, c := range pds {
		if c.Address > MaxAddress && !(c.Address == AddrBroadcast && len(pds) == 1) {
			return nil, fmt.Errorf("osdp: PD address %#x out of range", c.Address)
		}
		if seen[c.Address] {
			return nil, fmt.Errorf("osdp: duplicate PD address %#x", c.Address)
		}
		seen[c.Address] = true
		b.pds = append(b.pds, newPDConn(c, cfg.ReconnectMin))
		b.status[c.Address] = PDStatus{Address: c.Address}
	}
	return b, nil
}

// minWriteStall is the least time a frame may take to reach the transport
// before the transport counts as failed (ErrWriteStalled).
const minWriteStall = 2 * time.Second

// Run drives the line until ctx is cancelled or the transport fails. It
// closes the transport before returning. It returns nil on cancellation,
// promptly even while a Write is blocked. A Write that does not complete
// within OfflineTimeout (at least 2 s) fails the transport with
// ErrWriteStalled.
func (b *Bus) Run(ctx context.Context) error {
	if !b.started.CompareAndSwap(false, true) {
		return errors.New("osdp: Bus.Run called twice")
	}
	l := newLink(b.rw, max(b.cfg.OfflineTimeout, minWriteStall))
	defer func() {
		if err := l.close(); errors.Is(err, errCloseStuck) {
			b.cfg.Logger.Error("osdp: closing the transport", "err", err)
		}
		for _, p := range b.pds {
			b.failQueued(p, ErrBusClosed)
		}
		close(b.done)
	}()
	for {
		if ctx.Err() != nil {
			return nil
		}
		b.acceptPending()
		now := time.Now()
		p := b.pickDue(now)
		if p == nil {
			timer := time.NewTimer(b.earliestDue().Sub(now))
			select {
			case <-ctx.Done():
				timer.Stop()
				return nil
			case r := <-b.requests:
				b.enqueue(r)
			case <-timer.C:
			}
			timer.Stop()
			continue
		}
		if err := b.step(ctx, l, p); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}

func (b *Bus) acceptPending() {
	for {
		select {
		case r := <-b.requests:
			b.enqueue(r)
		default:
			return
		}
	}
}

func (b *Bus) find(addr byte) *pdConn {
	for _, p := range b.pds {
		if p.addr == addr {
			return p
		}
	}
	return nil
}

func (b *Bus) enqueue(r *request) {
	p := b.find(r.addr)
	switch {
	case p == nil:
		r.finish(nil, ErrUnknownPD)
	case !p.online:
		r.finish(nil, ErrOffline)
	default:
		p.queue = append(p.queue, r)
		if p.state == stateOnline && p.inflight == nil {
			p.nextDue = time.Now()
		}
	}
}

// pickDue chooses the next PD whose turn has come, round robin so that one
// chatty PD cannot starve the others.
func (b *Bus) pickDue(now time.Time) *pdConn {
	for i := range b.pds {
		k := (b.next + i) % len(b.pds)
		if !b.pds[k].nextDue.After(now) {
			b.next = k + 1
			return b.pds[k]
		}
	}
	return nil
}

func (b *Bus) earliestDue() time.Time {
	t := time.Now().Add(time.Hour)
	for _, p := range b.pds {
		if p.nextDue.Before(t) {
			t = p.nextDue
		}
	}
	return t
}

func (b *Bus) emit(ev Event) {
	if b.cfg.OnEvent != nil {
		b.cfg.OnEvent(ev)
	}
}

func (b *Bus) publishStatus(p *pdConn) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.status[p.addr] = PDStatus{Address: p.addr, Online: p.online, Secure: p.sess != nil, ID: p.id, Cap: p.cap}
}

// Status returns the last known state of the PD at addr.
func (b *Bus) Status(addr byte) (PDStatus, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s, ok := b.status[addr]
	return s, ok
}

// Stats returns line counters.
func (b *Bus) Stats() BusStats {
	return BusStats{Exchanges: b.exchanges.Load(), Timeouts: b.timeouts.Load(), Retries: b.retries.Load()}
}

// Send queues cmd for the PD at addr and waits for its reply. A NAK comes
// back as *NakError and does not affect the link (unless it is a sequence
// or security NAK, which makes the bus resynchronise). Use SetKey rather
// than a KeySet command.
func (b *Bus) Send(ctx context.Context, addr byte, cmd Command) (Reply, error) {
	if _, ok := cmd.(KeySet); ok {
		return nil, errors.New("osdp: use Bus.SetKey to change keys")
	}
	return b.do(ctx, &request{ctx: ctx, addr: addr, cmd: cmd, result: make(chan result, 1)})
}

// SetKey replaces the SCBK of an online secure PD. The caller must have
// stored key durably first. After the PD acknowledges, the bus re-runs the
// handshake under the new key and emits EventProvisioned.
func (b *Bus) SetKey(ctx context.Context, addr byte, key Key) error {
	_, err := b.do(ctx, &request{ctx: ctx, addr: addr, cmd: KeySet{Key: key}, setKey: &key, result: make(chan result, 1)})
	return err
}

func (b *Bus) do(ctx context.Context, r *request) (Reply, error) {
	select {
	case b.requests <- r:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-b.done:
		return nil, ErrBusClosed
	}
	select {
	case res := <-r.result:
		return res.reply, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-b.done:
		return nil, ErrBusClosed
	}
}

// expectAck drops the reply of an output command: any non-NAK answer
// means success (some PDs answer OUT with OSTATR instead of ACK), and a
// NAK already arrives as *NakError.
func expectAck(_ Reply, err error) error { return err }

// LED sets reader LEDs.
func (b *Bus) LED(ctx context.Context, addr byte, records ...LEDRecord) error {
	return expectAck(b.Send(ctx, addr, LEDControl{Records: records}))
}

// Buzz drives the reader buzzer.
func (b *Bus) Buzz(ctx context.Context, addr byte, records ...BuzzerRecord) error {
	return expectAck(b.Send(ctx, addr, BuzzerControl{Records: records}))
}

// Output controls outputs (relays).
func (b *Bus) Output(ctx context.Context, addr byte, outputs ...OutputCommand) error {
	return expectAck(b.Send(ctx, addr, OutputControl{Outputs: outputs}))
}

// PulseOutput energises an output for d, e.g. to release a door strike.
func (b *Bus) PulseOutput(ctx context.Context, addr, output byte, d time.Duration) error {
	return expectAck(b.Send(ctx, addr, PulseOutput(output, d)))
}

// Text shows text on the reader display.
func (b *Bus) Text(ctx context.Context, addr byte, t TextOutput) error {
	return expectAck(b.Send(ctx, addr, t))
}

// ComSet moves the PD to a new address and baud rate. The bus follows the
// address change; a baud change is applied to the transport only if it
// implements BaudRateSetter and this is the only PD on the line.
func (b *Bus) ComSet(ctx context.Context, addr, newAddr byte, baud uint32) (ComReply, error) {
	r, err := b.Send(ctx, addr, ComSet{Address: newAddr, Baud: baud})
	if err != nil {
		return ComReply{}, err
	}
	c, ok := r.(ComReply)
	if !ok {
		return ComReply{}, ErrUnexpectedReply
	}
	return c, nil
}

// Mfg sends a manufacturer-specific command and returns the PD's reply
// (ACK or MfgReply).
func (b *Bus) Mfg(ctx context.Context, addr byte, m Manufacturer) (Reply, error) {
	return b.Send(ctx, addr, m)
}
