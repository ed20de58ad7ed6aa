// Package osdpdoor is the door adapter for OSDP readers: it owns one
// osdp.Bus per line (a serial RS-485 line or an OSDP-over-TCP endpoint, with
// several readers on it), keeps the lines running in the background, drives
// the door relay of each reader (hal.Adapter.UnlockDoor pulses an output) and
// reports what the readers send (cards, keypad, online/offline, tamper).
//
// The Adapter is the hardware half and needs no database: a static list of
// lines (Apply) and two hooks. The Manager is the application half: it builds
// the lines from the zones bound to provider OSDP, turns card reads and PINs
// into check-ins, seals and stores secure-channel keys, records reader status
// and emits door.reader_* events.
//
// Keys and card numbers are never logged.
package osdpdoor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/osdp"
)

// Reader is one reader on a line.
type Reader struct {
	ZoneID    int64
	Address   byte
	Secure    bool
	Direction string // IN or OUT
	Output    byte
	// SCBK is the stored secure-channel key; nil with Secure means the reader
	// is expected in install mode and gets a key via Hooks.NewKey.
	SCBK *osdp.Key
	// KeyConfirmed: the reader proved it holds SCBK. Until then the bus may
	// also try the install-mode key (a KEYSET that never arrived).
	KeyConfirmed bool
}

// Line is one connection with its readers.
type Line struct {
	EntityID   int64
	Name       string
	Connection string // tcp://host:port, serial:///dev/x or a device path
	Baud       int
	Readers    []Reader
}

// LineKey names a line: lines belong to an organisation.
type LineKey struct {
	EntityID int64
	Name     string
}

// Hooks connect the adapter to the application.
type Hooks struct {
	// OnEvent receives every reader event, after the adapter updated its
	// status. It runs on the line's bus goroutine and must not block (hand
	// work to another goroutine: a door command from here would deadlock).
	OnEvent func(l LineKey, r Reader, ev osdp.Event)
	// NewKey makes a key for a reader found in install mode and stores it
	// durably before returning (the bus sends KEYSET only afterwards).
	NewKey func(ctx context.Context, l LineKey, r Reader) (osdp.Key, error)
}

// Options configure an Adapter.
type Options struct {
	// Bus is the template of every line's bus configuration (timings,
	// logger). OnEvent and KeyProvider are set by the adapter.
	Bus osdp.Config
	Hooks
	// Dial opens a line; default: tcp:// via osdp.DialTCP, anything else as a
	// serial device via osdp.OpenSerial.
	Dial func(ctx context.Context, connection string, baud int) (io.ReadWriteCloser, error)
	// EventsPerDoor is the size of each door's event ring (default 200).
	EventsPerDoor int
	// Logger gets diagnostics (never keys or card data).
	Logger *slog.Logger
	// Lock, when set, is taken before a line is opened and held while it
	// runs, so that only one process drives a line (replicas on one
	// PostgreSQL). It returns ErrLineHeld when another holder has it (the
	// line is retried every LockRetry), lost is closed when the lock is lost
	// (the line stops and the lock is taken again), release gives it up.
	Lock func(ctx context.Context, k LineKey) (lost <-chan struct{}, release func(), err error)
	// LockRetry is how often a line held elsewhere is tried again (default 1 s).
	LockRetry time.Duration
}

// ErrLineHeld: another process drives the line.
var ErrLineHeld = errors.New("line driven by another replica")

// ReaderStatus is what the adapter knows about a reader right now.
type ReaderStatus struct {
	EntityID      int64      `json:"-"`
	ZoneID        int64      `json:"zoneId"`
	Line          string     `json:"line"`
	Address       int        `json:"address"`
	Online        bool       `json:"online"`
	SecureChannel bool       `json:"secureChannel"`
	Tamper        bool       `json:"tamper"`
	LastCardAt    *time.Time `json:"lastCardAt,omitempty"`
	LastSeenAt    *time.Time `json:"lastSeenAt,omitempty"`
	Error         string     `json:"error,omitempty"`
}

type doorKey struct {
	entity int64
	line   string
	addr   byte
}

// Adapter is the OSDP door adapter (hal.Adapter).
type Adapter struct {
	opt    Options
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	applyMu sync.Mutex // serialises Apply and Close
	mu      sync.Mutex
	lines   map[LineKey]*line
	events  map[doorKey][]hal.Event
	status  map[doorKey]*ReaderStatus
	closed  bool
}

type line struct {
	cfg    Line
	cancel context.CancelFunc
	done   chan struct{}
	bus    *osdp.Bus // nil while the connection is down
	err    string
}

var _ hal.Adapter = (*Adapter)(nil)

// New returns an adapter with no lines; Apply adds them. Close stops them.
func New(opt Options) *Adapter {
	if opt.EventsPerDoor <= 0 {
		opt.EventsPerDoor = 200
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Dial == nil {
		opt.Dial = Dial
	}
	if opt.LockRetry <= 0 {
		opt.LockRetry = time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Adapter{opt: opt, ctx: ctx, cancel: cancel, lines: map[LineKey]*line{},
		events: map[doorKey][]hal.Event{}, status: map[doorKey]*ReaderStatus{}}
}

// Dial opens a connection string: tcp://host:port, serial:///dev/ttyX or a
// plain device path.
func Dial(ctx context.Context, connection string, baud int) (io.ReadWriteCloser, error) {
	switch {
	case strings.HasPrefix(connection, "tcp://"):
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		return osdp.DialTCP(dctx, strings.TrimPrefix(connection, "tcp://"))
	case strings.HasPrefix(connection, "serial://"):
		return osdp.OpenSerial(strings.TrimPrefix(connection, "serial://"), baud)
	default:
		return osdp.OpenSerial(connection, baud)
	}
}

// Provider implements hal.Adapter.
func (a *Adapter) Provider() string { return Provider }

func sameLine(x, y Line) bool {
	if x.Connection != y.Connection || x.Baud != y.Baud || len(x.Readers) != len(y.Readers) {
		return false
	}
	for i := range x.Readers {
		p, q := x.Readers[i], y.Readers[i]
		// Keys are not compared: one stored meanwhile (by NewKey or a rekey)
		// is already in the running line; a cleared one restarts the line
		// through ForgetKey.
		if p.ZoneID != q.ZoneID || p.Address != q.Address || p.Secure != q.Secure || p.Direction != q.Direction || p.Output != q.Output {
			return false
		}
	}
	return true
}

// Apply makes the running lines match lines: new ones start, changed ones
// restart, missing ones stop. An unchanged line keeps running (and keeps its
// readers' secure channels).
func (a *Adapter) Apply(lines []Line) {
	a.applyMu.Lock()
	defer a.applyMu.Unlock()
	want := map[LineKey]Line{}
	for _, l := range lines {
		want[LineKey{l.EntityID, l.Name}] = l
	}
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return
	}
	var stop []*line
	for k, l := range a.lines {
		if w, ok := want[k]; !ok || !sameLine(w, l.cfg) {
			stop = append(stop, l)
			delete(a.lines, k)
		}
	}
	a.mu.Unlock()
	for _, l := range stop {
		l.cancel()
		<-l.done
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, w := range want {
		if _, ok := a.lines[k]; ok {
			continue
		}
		a.startLocked(k, w)
	}
}

// ForgetKey drops the key of a reader from its running line and restarts
// the line, so that a secure reader is provisioned afresh from install mode
// (the caller has cleared the stored key). No-op for a line not running here.
func (a *Adapter) ForgetKey(k LineKey, addr byte) {
	a.applyMu.Lock()
	defer a.applyMu.Unlock()
	a.mu.Lock()
	l := a.lines[k]
	if a.closed || l == nil {
		a.mu.Unlock()
		return
	}
	cfg := l.cfg
	cfg.Readers = append([]Reader(nil), l.cfg.Readers...)
	for i := range cfg.Readers {
		if cfg.Readers[i].Address == addr {
			cfg.Readers[i].SCBK, cfg.Readers[i].KeyConfirmed = nil, false
		}
	}
	delete(a.lines, k)
	a.mu.Unlock()
	l.cancel()
	<-l.done
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.lines[k]; !ok && !a.closed {
		a.startLocked(k, cfg)
	}
}

// startLocked starts a line (a.mu held).
func (a *Adapter) startLocked(k LineKey, w Line) {
	ctx, cancel := context.WithCancel(a.ctx)
	l := &line{cfg: w, cancel: cancel, done: make(chan struct{})}
	l.cfg.Readers = append([]Reader(nil), w.Readers...)
	a.lines[k] = l
	for _, r := range w.Readers {
		dk := doorKey{k.EntityID, k.Name, r.Address}
		st := a.status[dk]
		if st == nil {
			st = &ReaderStatus{EntityID: k.EntityID, Line: k.Name, Address: int(r.Address)}
			a.status[dk] = st
		}
		st.ZoneID, st.Online, st.SecureChannel = r.ZoneID, false, false
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		defer close(l.done)
		a.runLine(ctx, k, l)
	}()
}

// Close stops every line and waits for their goroutines.
func (a *Adapter) Close() {
	a.applyMu.Lock()
	defer a.applyMu.Unlock()
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	a.cancel()
	a.wg.Wait()
}

func (a *Adapter) readerOf(k LineKey, addr byte) (Reader, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	l := a.lines[k]
	if l == nil {
		return Reader{}, false
	}
	for _, r := range l.cfg.Readers {
		if r.Address == addr {
			return r, true
		}
	}
	return Reader{}, false
}

func (a *Adapter) updateReader(k LineKey, addr byte, fn func(r *Reader)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if l := a.lines[k]; l != nil {
		for i := range l.cfg.Readers {
			if l.cfg.Readers[i].Address == addr {
				fn(&l.cfg.Readers[i])
			}
		}
	}
}

// runLine drives one line until ctx ends: with Options.Lock, only while it
// holds the line's lock.
func (a *Adapter) runLine(ctx context.Context, k LineKey, l *line) {
	if a.opt.Lock == nil {
		a.driveLine(ctx, k, l)
		return
	}
	log := a.opt.Logger.With("line", k.Name, "entity", k.EntityID)
	var last string
	for ctx.Err() == nil {
		lost, release, err := a.opt.Lock(ctx, k)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			a.mu.Lock()
			l.err = err.Error()
			a.mu.Unlock()
			if !errors.Is(err, ErrLineHeld) && err.Error() != last {
				log.Warn("osdp: taking the line lock", "err", err)
			}
			last = err.Error()
			select {
			case <-ctx.Done():
				return
			case <-time.After(a.opt.LockRetry):
			}
			continue
		}
		last = ""
		log.Info("osdp: line lock taken; driving the line")
		lctx, cancel := context.WithCancel(ctx)
		watch := make(chan struct{})
		go func() {
			defer close(watch)
			select {
			case <-lost:
				cancel()
			case <-lctx.Done():
			}
		}()
		a.driveLine(lctx, k, l)
		cancel()
		<-watch
		release()
		if ctx.Err() == nil {
			log.Warn("osdp: lost the line lock; line stopped")
		}
	}
}

// driveLine keeps one line connected until ctx ends, with back-off between
// attempts.
func (a *Adapter) driveLine(ctx context.Context, k LineKey, l *line) {
	backoff := 500 * time.Millisecond
	log := a.opt.Logger.With("line", k.Name, "entity", k.EntityID)
	var last string
	for ctx.Err() == nil {
		connected, err := a.connectOnce(ctx, k, l)
		a.lineDown(k, l, err)
		if connected {
			backoff = 500 * time.Millisecond
		}
		if ctx.Err() != nil {
			return
		}
		// Log a failure once, not at every retry.
		if err != nil && err.Error() != last {
			log.Warn("osdp: line down; retrying", "err", err)
		}
		if err != nil {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 10*time.Second)
	}
}

func (a *Adapter) connectOnce(ctx context.Context, k LineKey, l *line) (connected bool, err error) {
	a.mu.Lock()
	cfg := l.cfg
	cfg.Readers = append([]Reader(nil), l.cfg.Readers...)
	a.mu.Unlock()
	rw, err := a.opt.Dial(ctx, cfg.Connection, cfg.Baud)
	if err != nil {
		return false, fmt.Errorf("connect: %w", err)
	}
	bc := a.opt.Bus
	bc.Baud = cfg.Baud
	bc.Logger = a.opt.Logger.With("line", k.Name)
	bc.OnEvent = func(ev osdp.Event) { a.onEvent(k, ev) }
	bc.KeyProvider = func(ctx context.Context, addr byte, _ osdp.PDID) (osdp.Key, error) {
		r, ok := a.readerOf(k, addr)
		if !ok || a.opt.NewKey == nil {
			return osdp.Key{}, errors.New("no key store for this reader")
		}
		key, err := a.opt.NewKey(ctx, k, r)
		if err != nil {
			return osdp.Key{}, err
		}
		a.updateReader(k, addr, func(r *Reader) { r.SCBK, r.KeyConfirmed = &key, false })
		return key, nil
	}
	pds := make([]osdp.PDConfig, 0, len(cfg.Readers))
	for _, r := range cfg.Readers {
		pd := osdp.PDConfig{Address: r.Address, Secure: r.Secure}
		if r.Secure && r.SCBK != nil {
			key := *r.SCBK
			pd.SCBK = &key
			pd.InstallFallback = !r.KeyConfirmed
		}
		pds = append(pds, pd)
	}
	bus, err := osdp.NewBus(rw, bc, pds...)
	if err != nil {
		_ = rw.Close()
		return false, err
	}
	a.mu.Lock()
	l.bus, l.err = bus, ""
	a.mu.Unlock()
	return true, bus.Run(ctx)
}

// lineDown marks the line's readers offline (emitting EventOffline for those
// that were online: the bus does not when its transport ends).
func (a *Adapter) lineDown(k LineKey, l *line, err error) {
	a.mu.Lock()
	l.bus = nil
	if err != nil {
		l.err = err.Error()
	}
	var was []byte
	for _, r := range l.cfg.Readers {
		if st := a.status[doorKey{k.EntityID, k.Name, r.Address}]; st != nil {
			if st.Online {
				was = append(was, r.Address)
			}
			st.Error = l.err
		}
	}
	a.mu.Unlock()
	for _, addr := range was {
		a.onEvent(k, osdp.EventOffline{Addr: addr, Err: errors.New("line disconnected")})
	}
}

func (a *Adapter) record(dk doorKey, kind, detail string) {
	ring := append(a.events[dk], hal.Event{At: time.Now(), Kind: kind, ExternalDoorID: DoorRef{dk.line, dk.addr}.String(), Detail: detail})
	if len(ring) > a.opt.EventsPerDoor {
		ring = ring[len(ring)-a.opt.EventsPerDoor:]
	}
	a.events[dk] = ring
}

func (a *Adapter) onEvent(k LineKey, ev osdp.Event) {
	r, ok := a.readerOf(k, ev.PD())
	if !ok {
		return
	}
	dk := doorKey{k.EntityID, k.Name, ev.PD()}
	now := time.Now()
	a.mu.Lock()
	st := a.status[dk]
	if st == nil {
		st = &ReaderStatus{EntityID: k.EntityID, ZoneID: r.ZoneID, Line: k.Name, Address: int(r.Address)}
		a.status[dk] = st
	}
	switch e := ev.(type) {
	case osdp.EventOnline:
		st.Online, st.SecureChannel, st.Error = true, e.Secure, ""
		a.record(dk, "ONLINE", fmt.Sprintf("reader online (secure channel: %t)", e.Secure))
	case osdp.EventOffline:
		st.Online, st.SecureChannel = false, false
		if e.Err != nil {
			st.Error = e.Err.Error()
		}
		a.record(dk, "OFFLINE", "reader offline: "+st.Error)
	case osdp.EventLocalStatus:
		st.Tamper = e.Tamper
		a.record(dk, "TAMPER", fmt.Sprintf("tamper: %t, power failure: %t", e.Tamper, e.PowerFailure))
	case osdp.EventCard:
		st.LastCardAt = &now
		a.record(dk, "CARD", fmt.Sprintf("card read (%d bits)", e.Card.Bits))
	case osdp.EventKeypad:
		a.record(dk, "KEYPAD", "keypad entry")
	case osdp.EventProvisioned:
		a.record(dk, "PROVISION", "secure channel key installed")
	}
	if _, off := ev.(osdp.EventOffline); !off {
		st.LastSeenAt = &now
	}
	a.mu.Unlock()
	if _, ok := ev.(osdp.EventProvisioned); ok {
		a.updateReader(k, ev.PD(), func(r *Reader) { r.KeyConfirmed = true })
	}
	if a.opt.OnEvent != nil {
		a.opt.OnEvent(k, r, ev)
	}
}

// Statuses lists the readers of an organisation (0: all).
func (a *Adapter) Statuses(entityID int64) []ReaderStatus {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []ReaderStatus
	for k, l := range a.lines {
		if entityID != 0 && k.EntityID != entityID {
			continue
		}
		for _, r := range l.cfg.Readers {
			if st := a.status[doorKey{k.EntityID, k.Name, r.Address}]; st != nil {
				c := *st
				out = append(out, c)
			}
		}
	}
	return out
}

// bus returns the running bus of a door and its reader.
func (a *Adapter) bus(op string, d hal.Door) (*osdp.Bus, Reader, error) {
	ref, err := ParseDoorID(d.ExternalDoorID)
	if err != nil {
		return nil, Reader{}, hal.NewError(hal.Rejected, Provider, op, err)
	}
	k := LineKey{d.EntityID, ref.Line}
	a.mu.Lock()
	defer a.mu.Unlock()
	l := a.lines[k]
	if l == nil {
		return nil, Reader{}, hal.NewError(hal.Rejected, Provider, op, fmt.Errorf("no OSDP line %q is configured", ref.Line))
	}
	for _, r := range l.cfg.Readers {
		if r.Address == ref.Address {
			if l.bus == nil {
				msg := "line not connected"
				if l.err != "" {
					msg += ": " + l.err
				}
				return nil, r, hal.NewError(hal.Unreachable, Provider, op, errors.New(msg))
			}
			return l.bus, r, nil
		}
	}
	return nil, Reader{}, hal.NewError(hal.Rejected, Provider, op, fmt.Errorf("no reader at address %d on line %q", ref.Address, ref.Line))
}

func classify(op string, err error) error {
	var nak *osdp.NakError
	switch {
	case errors.As(err, &nak), errors.Is(err, osdp.ErrUnknownPD):
		return hal.NewError(hal.Rejected, Provider, op, err)
	default: // offline, bus stopped, deadline
		return hal.NewError(hal.Unreachable, Provider, op, err)
	}
}

// UnlockDoor pulses the reader's door output for holdOpen (in the protocol's
// 100 ms steps, rounded up).
func (a *Adapter) UnlockDoor(ctx context.Context, d hal.Door, holdOpen time.Duration) (hal.DoorResult, error) {
	bus, r, err := a.bus("unlock", d)
	if err != nil {
		return hal.DoorResult{}, err
	}
	if err := bus.PulseOutput(ctx, r.Address, r.Output, holdOpen); err != nil {
		return hal.DoorResult{}, classify("unlock", err)
	}
	ref, _ := ParseDoorID(d.ExternalDoorID)
	a.mu.Lock()
	a.record(doorKey{d.EntityID, ref.Line, ref.Address}, "UNLOCK", fmt.Sprintf("output %d pulsed for %s", r.Output, holdOpen))
	a.mu.Unlock()
	return hal.DoorResult{Success: true, Message: fmt.Sprintf("reader %s: output %d pulsed for %s", ref, r.Output, holdOpen)}, nil
}

// ReaderLink reports whether this process drives the reader's line and the
// reader is online (and with a secure channel).
func (a *Adapter) ReaderLink(k LineKey, addr byte) (driving, online, secure bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	l := a.lines[k]
	if l == nil || l.bus == nil {
		return false, false, false
	}
	if st := a.status[doorKey{k.EntityID, k.Name, addr}]; st != nil {
		return true, st.Online, st.SecureChannel
	}
	return true, false, false
}

// SetKey sends KEYSET with key to an online secure reader (the caller has
// stored key durably first). After the reader acknowledges, the bus
// handshakes under the new key and the reader reports EventProvisioned. The
// running line uses key from now on, also after a reconnect.
func (a *Adapter) SetKey(ctx context.Context, k LineKey, addr byte, key osdp.Key) error {
	d := hal.Door{EntityID: k.EntityID, ExternalDoorID: DoorRef{k.Name, addr}.String()}
	bus, r, err := a.bus("rekey", d)
	if err != nil {
		return err
	}
	if !r.Secure {
		return hal.NewError(hal.Rejected, Provider, "rekey", errors.New("the reader is not configured for the secure channel"))
	}
	a.updateReader(k, addr, func(r *Reader) { r.SCBK, r.KeyConfirmed = &key, false })
	if err := bus.SetKey(ctx, addr, key); err != nil {
		return classify("rekey", err)
	}
	return nil
}

// Feedback shows a decision on the reader: granted = green LED for hold and a
// short beep; denied = red LED and a long beep.
func (a *Adapter) Feedback(ctx context.Context, d hal.Door, granted bool, hold time.Duration) error {
	bus, r, err := a.bus("feedback", d)
	if err != nil {
		return err
	}
	color, beep, count := byte(osdp.ColorRed), 1500*time.Millisecond, byte(1)
	if granted {
		color, beep = osdp.ColorGreen, 200*time.Millisecond
	} else {
		hold = 2 * time.Second
	}
	led := osdp.FlashLED(0, 0, color, color, hold)
	if err := bus.LED(ctx, r.Address, led); err != nil {
		return classify("feedback", err)
	}
	if err := bus.Buzz(ctx, r.Address, osdp.Beep(0, beep, count)); err != nil {
		return classify("feedback", err)
	}
	return nil
}

// ProvisionCredential is unsupported: an OSDP reader only reads; the
// control panel (Gatehouse) decides.
func (a *Adapter) ProvisionCredential(context.Context, hal.Credential) (string, error) {
	return "", hal.NewError(hal.Unsupported, Provider, "provision", errors.New("OSDP readers hold no credentials; Gatehouse decides"))
}

// RevokeCredential is unsupported (see ProvisionCredential).
func (a *Adapter) RevokeCredential(context.Context, string) error {
	return hal.NewError(hal.Unsupported, Provider, "revoke", errors.New("OSDP readers hold no credentials; Gatehouse decides"))
}

// Occupancy is unsupported: readers do not count.
func (a *Adapter) Occupancy(context.Context, hal.Door) (hal.Occupancy, error) {
	return hal.Occupancy{}, hal.NewError(hal.Unsupported, Provider, "occupancy", errors.New("OSDP readers keep no count"))
}

// RecentEvents lists what the adapter saw at the door (unlocks, reads,
// online/offline, tamper), newest first, from memory.
func (a *Adapter) RecentEvents(_ context.Context, d hal.Door, limit int) ([]hal.Event, error) {
	ref, err := ParseDoorID(d.ExternalDoorID)
	if err != nil {
		return nil, hal.NewError(hal.Rejected, Provider, "events", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	ring := a.events[doorKey{d.EntityID, ref.Line, ref.Address}]
	out := make([]hal.Event, 0, min(max(limit, 0), len(ring)))
	for i := len(ring) - 1; i >= 0 && len(out) < limit; i-- {
		out = append(out, ring[i])
	}
	return out, nil
}
