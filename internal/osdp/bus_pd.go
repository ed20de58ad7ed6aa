package osdp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// pdState is the CP's view of one PD's link:
//
//	offline -> id -> cap -> [challenge -> scrypt -> (keyset -> challenge ...)] -> online
//
// Any link failure goes back to offline (with back-off) or, for an online
// PD, restarts at id with SQN 0 ("resync").
type pdState int

const (
	stateOffline pdState = iota
	stateID
	stateCap
	stateChallenge
	stateSCrypt
	stateKeySet
	stateOnline
)

var stateNames = [...]string{"offline", "id", "cap", "challenge", "scrypt", "keyset", "online"}

func (s pdState) String() string { return stateNames[s] }

// maxResyncs bounds consecutive resynchronisations of an online PD before
// it is declared offline, so a PD that NAKs every sequence cannot keep the
// bus spinning.
const maxResyncs = 3

type keyChoice struct {
	key   Key
	index byte // KeyIndexSCBK or KeyIndexDefault
}

// inflight is a command on the wire awaiting its reply. Retries resend wire
// unchanged (same SQN and MAC) so that the PD can replay a lost reply.
type inflight struct {
	wire     []byte
	code     byte
	seq      byte
	req      *request
	attempts int
}

type pdConn struct {
	cfg    PDConfig
	addr   byte
	state  pdState
	online bool
	// reported tracks whether an offline state was already announced, so
	// that a PD failing every back-off probe produces one event, not many.
	reportedOffline bool

	seq  byte
	crc  bool
	sess *Session

	id  PDID
	cap PDCap

	hs         *cpHandshake
	keyPlan    []keyChoice
	keyIdx     int
	scrypt     SCrypt
	scryptSCB  []byte
	scbk       *Key
	pendingKey *Key

	inflight  *inflight
	queue     []*request
	nextDue   time.Time
	lastValid time.Time
	backoff   time.Duration
	resyncs   int

	lstat   *LocalStatus
	inputs  []byte
	outputs []byte
	readers []byte
}

func newPDConn(c PDConfig, backoff time.Duration) *pdConn {
	p := &pdConn{cfg: c, addr: c.Address, crc: true, backoff: backoff, scbk: c.SCBK}
	return p
}

func nextSeq(s byte) byte {
	if s >= 3 {
		return 1
	}
	return s + 1
}

func (b *Bus) logger(p *pdConn) *slog.Logger {
	return b.cfg.Logger.With("pd", p.addr)
}

// step performs one exchange with p: the command its state calls for, or
// a retransmission of the unanswered one.
func (b *Bus) step(ctx context.Context, l *link, p *pdConn) error {
	now := time.Now()
	if p.inflight == nil {
		b.prepare(ctx, p)
		if p.inflight == nil {
			return nil
		}
	} else {
		b.retries.Add(1)
	}
	inf := p.inflight
	inf.attempts++
	timeout := b.cfg.ReplyTimeout + transmitTime(len(inf.wire), b.cfg.Baud)
	f, err := l.exchange(ctx, inf.wire, p.addr, timeout)
	b.exchanges.Add(1)
	switch {
	case errors.Is(err, ErrTimeout):
		b.timeouts.Add(1)
		b.onTimeout(p, now)
		return nil
	case err != nil:
		return err
	}
	b.onReply(ctx, p, f)
	return nil
}

// prepare encodes the next command for p according to its state.
func (b *Bus) prepare(ctx context.Context, p *pdConn) {
	switch p.state {
	case stateOffline:
		p.state, p.seq, p.sess = stateID, 0, nil
		fallthrough
	case stateID:
		b.build(p, IDRequest{}, nil, nil)
	case stateCap:
		b.build(p, CapRequest{}, nil, nil)
	case stateChallenge:
		kc := p.keyPlan[p.keyIdx]
		hs, err := newCPHandshake(kc.key, kc.index)
		if err != nil {
			b.offline(p, err)
			return
		}
		p.hs = hs
		ch, scb := hs.challenge()
		b.build(p, ch, scb, nil)
	case stateSCrypt:
		b.build(p, p.scrypt, p.scryptSCB, nil)
	case stateKeySet:
		b.build(p, KeySet{Key: *p.pendingKey}, nil, nil)
	case stateOnline:
		for len(p.queue) > 0 {
			r := p.queue[0]
			p.queue = p.queue[1:]
			if r.ctx.Err() != nil {
				continue // caller gave up before it was sent
			}
			if r.setKey != nil && p.sess == nil {
				r.finish(nil, errors.New("osdp: SetKey needs an active secure channel"))
				continue
			}
			b.build(p, r.cmd, nil, r)
			return
		}
		b.build(p, Poll{}, nil, nil)
	}
}

func (b *Bus) build(p *pdConn, cmd Command, scb []byte, r *request) {
	data, err := cmd.MarshalData()
	if err != nil {
		if r != nil {
			r.finish(nil, err)
		}
		return
	}
	f := Frame{Mark: true, Addr: p.addr, Seq: p.seq, CRC: p.crc, SCB: scb, Code: cmd.CommandCode(), Data: data}
	var wire []byte
	switch {
	case p.sess != nil && scb == nil:
		wire, err = p.sess.SealCommand(&f)
	case cmd.CommandCode() == CmdKeySet:
		err = errors.New("osdp: refusing to send KEYSET in plaintext")
	default:
		wire, err = f.Encode()
	}
	if err != nil {
		if r != nil {
			r.finish(nil, err)
		} else {
			b.offline(p, err)
		}
		return
	}
	p.inflight = &inflight{wire: wire, code: f.Code, seq: p.seq, req: r}
}

func (b *Bus) onTimeout(p *pdConn, now time.Time) {
	if now.Sub(p.lastValid) >= b.cfg.OfflineTimeout {
		b.offline(p, ErrTimeout)
		return
	}
	p.nextDue = now.Add(b.cfg.RetryInterval)
}

func (b *Bus) onReply(ctx context.Context, p *pdConn, f Frame) {
	now := time.Now()
	inf := p.inflight
	if f.Code == ReplyBusy && f.SCBType() == 0 {
		// The PD is alive but not ready; resend the same bytes later.
		p.lastValid = now
		p.nextDue = now.Add(b.cfg.BusyRetry)
		return
	}
	if f.Seq != inf.seq {
		b.resync(p, ErrSequence)
		return
	}
	if p.sess != nil {
		if f.SCBType() == 0 {
			// A plaintext NAK means the PD dropped the channel; libosdp
			// PDs may also ACK a KEYSET in plaintext. Anything else in the
			// clear is refused.
			if f.Code != ReplyNak && !(inf.code == CmdKeySet && f.Code == ReplyAck) {
				b.resync(p, ErrNotSecure)
				return
			}
		} else if err := p.sess.OpenReply(&f); err != nil {
			b.resync(p, err)
			return
		}
	} else if f.HasMAC() {
		b.resync(p, ErrUnexpectedSCB)
		return
	}
	p.inflight = nil
	p.lastValid = now
	p.seq = nextSeq(p.seq)
	p.nextDue = now

	reply, err := DecodeReply(f.Code, f.Data)
	if err != nil {
		b.logger(p).Warn("osdp: undecodable reply", "code", CodeName(f.Code, true), "err", err)
		if inf.req != nil {
			inf.req.finish(nil, err)
		}
		if p.state != stateOnline {
			b.offline(p, err)
		}
		return
	}
	if nak, ok := reply.(Nak); ok {
		b.onNak(p, inf, nak)
		return
	}
	switch p.state {
	case stateID:
		id, ok := reply.(PDID)
		if !ok {
			b.offline(p, ErrUnexpectedReply)
			return
		}
		p.id, p.state = id, stateCap
	case stateCap:
		c, ok := reply.(PDCap)
		if !ok {
			b.offline(p, ErrUnexpectedReply)
			return
		}
		p.cap = c
		if ck, ok := c.Get(CapCheckCharacter); ok && ck.Compliance&1 == 0 {
			p.crc = false
		}
		if !p.cfg.Secure {
			b.goOnline(p)
			return
		}
		if !c.SecureChannel() {
			b.offline(p, ErrSecureUnsupported)
			return
		}
		b.startHandshake(p)
	case stateChallenge:
		cc, ok := reply.(CCrypt)
		if !ok {
			b.tryNextKey(p, ErrUnexpectedReply)
			return
		}
		s, scb, err := p.hs.verifyCCrypt(cc)
		if err != nil {
			b.tryNextKey(p, err)
			return
		}
		p.scrypt, p.scryptSCB, p.state = s, scb, stateSCrypt
	case stateSCrypt:
		rm, ok := reply.(RMACI)
		if !ok {
			b.tryNextKey(p, ErrUnexpectedReply)
			return
		}
		sess, err := p.hs.verifyRMACI(rm)
		if err != nil {
			b.tryNextKey(p, err)
			return
		}
		b.sessionEstablished(ctx, p, sess)
	case stateKeySet:
		if _, ok := reply.(Ack); !ok {
			b.offline(p, ErrUnexpectedReply)
			return
		}
		b.rehandshakeWithPending(p)
	case stateOnline:
		if inf.req != nil {
			b.completeRequest(p, inf.req, reply)
			return
		}
		b.pollReply(p, reply)
	}
}

func (b *Bus) onNak(p *pdConn, inf *inflight, nak Nak) {
	err := &NakError{Addr: p.addr, Cmd: inf.code, Code: nak.Code}
	switch {
	case nak.Code == NakCheck && p.crc && p.state == stateID:
		// The PD does not speak CRC-16: fall back to the checksum.
		p.crc, p.seq = false, 0
	case p.state == stateChallenge || p.state == stateSCrypt:
		b.tryNextKey(p, err)
	case p.state != stateOnline:
		b.offline(p, err)
	case nak.Code.linkFailure():
		if inf.req != nil {
			inf.req.finish(nil, err)
		}
		b.resync(p, err)
	default:
		// The PD refused one command (bad LED number, unsupported...). That
		// is the application's business, not the link's.
		if inf.req != nil {
			inf.req.finish(nil, err)
		} else {
			b.logger(p).Warn("osdp: poll refused", "nak", nak.Code.String())
			p.nextDue = time.Now().Add(b.cfg.PollInterval)
		}
	}
}

// startHandshake plans which keys to try: a key just delivered by KEYSET
// but not yet confirmed, then the configured SCBK, then SCBK-D when the PD
// is unprovisioned or fallback is allowed.
func (b *Bus) startHandshake(p *pdConn) {
	p.keyPlan = p.keyPlan[:0]
	if p.pendingKey != nil {
		p.keyPlan = append(p.keyPlan, keyChoice{*p.pendingKey, KeyIndexSCBK})
	}
	if p.scbk != nil {
		p.keyPlan = append(p.keyPlan, keyChoice{*p.scbk, KeyIndexSCBK})
	}
	if p.scbk == nil || p.cfg.InstallFallback {
		p.keyPlan = append(p.keyPlan, keyChoice{DefaultKey, KeyIndexDefault})
	}
	p.keyIdx = 0
	p.state = stateChallenge
}

// tryNextKey moves to the next key after a failed handshake. Each attempt
// starts from SQN 0 so that the PD discards the half-done handshake.
func (b *Bus) tryNextKey(p *pdConn, err error) {
	p.inflight, p.sess, p.seq = nil, nil, 0
	p.keyIdx++
	if p.keyIdx >= len(p.keyPlan) {
		b.offline(p, fmt.Errorf("%w: %w", ErrSecureChannel, err))
		return
	}
	b.logger(p).Info("osdp: handshake failed, trying next key", "err", err)
	p.state = stateChallenge
}

func (b *Bus) sessionEstablished(ctx context.Context, p *pdConn, sess *Session) {
	kc := p.keyPlan[p.keyIdx]
	p.sess, p.hs = sess, nil
	if kc.index == KeyIndexDefault {
		// Install mode: the session only serves to deliver the real key.
		if p.pendingKey == nil {
			if b.cfg.KeyProvider == nil {
				b.offline(p, ErrNoKeyProvider)
				return
			}
			k, err := b.cfg.KeyProvider(ctx, p.addr, p.id)
			if err != nil {
				b.offline(p, fmt.Errorf("osdp: key provider: %w", err))
				return
			}
			p.pendingKey = &k
		}
		p.state = stateKeySet
		return
	}
	if p.pendingKey != nil && kc.key == *p.pendingKey {
		p.scbk, p.pendingKey = p.pendingKey, nil
		b.logger(p).Info("osdp: PD provisioned with new key")
		b.emit(EventProvisioned{Addr: p.addr})
	}
	b.goOnline(p)
}

// rehandshakeWithPending follows a KEYSET ACK: the PD now only knows the
// new key and has dropped the session.
func (b *Bus) rehandshakeWithPending(p *pdConn) {
	p.sess, p.seq = nil, 0
	p.keyPlan = append(p.keyPlan[:0], keyChoice{*p.pendingKey, KeyIndexSCBK})
	p.keyIdx = 0
	p.state = stateChallenge
	b.publishStatus(p)
}

func (b *Bus) completeRequest(p *pdConn, r *request, reply Reply) {
	switch {
	case r.setKey != nil:
		if _, ok := reply.(Ack); !ok {
			r.finish(nil, ErrUnexpectedReply)
			return
		}
		p.pendingKey = r.setKey
		r.finish(reply, nil)
		b.rehandshakeWithPending(p)
		return
	case r.cmd.CommandCode() == CmdComSet:
		if c, ok := reply.(ComReply); ok {
			b.applyComSet(p, c)
		}
	}
	r.finish(reply, nil)
	if len(p.queue) == 0 {
		p.nextDue = time.Now().Add(b.cfg.PollInterval)
	}
}

func (b *Bus) applyComSet(p *pdConn, c ComReply) {
	if c.Address != p.addr {
		b.mu.Lock()
		delete(b.status, p.addr)
		b.mu.Unlock()
		p.addr = c.Address
		b.publishStatus(p)
	}
	if int(c.Baud) != b.cfg.Baud && c.Baud > 0 {
		if s, ok := b.rw.(BaudRateSetter); ok && len(b.pds) == 1 {
			if err := s.SetBaudRate(int(c.Baud)); err != nil {
				b.logger(p).Warn("osdp: cannot change baud rate", "err", err)
				return
			}
			b.cfg.Baud = int(c.Baud)
		} else {
			b.logger(p).Warn("osdp: PD moved to another baud rate; line speed unchanged", "baud", c.Baud)
		}
	}
}

// pollReply turns the answer to a POLL into events. A PD reports one event
// per poll, so after an event it is polled again at once.
func (b *Bus) pollReply(p *pdConn, reply Reply) {
	now := time.Now()
	switch r := reply.(type) {
	case Ack:
		p.nextDue = now.Add(b.cfg.PollInterval)
		return
	case RawCard:
		b.emit(EventCard{Addr: p.addr, Card: r})
	case Keypad:
		b.emit(EventKeypad{Addr: p.addr, Keypad: r})
	case LocalStatus:
		if p.lstat == nil || *p.lstat != r {
			p.lstat = &r
			b.emit(EventLocalStatus{Addr: p.addr, Tamper: r.Tamper, PowerFailure: r.PowerFailure})
		}
	case InputStatus:
		if changed(&p.inputs, r.Inputs) {
			b.emit(EventInputs{Addr: p.addr, Inputs: r.Inputs})
		}
	case OutputStatus:
		if changed(&p.outputs, r.Outputs) {
			b.emit(EventOutputs{Addr: p.addr, Outputs: r.Outputs})
		}
	case ReaderStatus:
		if changed(&p.readers, r.Readers) {
			b.emit(EventReaderStatus{Addr: p.addr, Readers: r.Readers})
		}
	case MfgReply:
		b.emit(EventMfgReply{Addr: p.addr, Reply: r})
	default:
		b.logger(p).Warn("osdp: unexpected reply to poll", "code", CodeName(reply.ReplyCode(), true))
	}
	p.nextDue = now
}

func changed(prev *[]byte, cur []byte) bool {
	if *prev != nil && string(*prev) == string(cur) {
		return false
	}
	*prev = append([]byte(nil), cur...)
	return true
}

func (b *Bus) goOnline(p *pdConn) {
	p.state, p.resyncs, p.backoff = stateOnline, 0, b.cfg.ReconnectMin
	p.nextDue = time.Now()
	if !p.online {
		p.online, p.reportedOffline = true, false
		b.logger(p).Info("osdp: PD online", "secure", p.sess != nil)
		b.publishStatus(p)
		b.emit(EventOnline{Addr: p.addr, ID: p.id, Cap: p.cap, Secure: p.sess != nil})
		return
	}
	b.publishStatus(p)
}

// resync restarts an online PD's link from SQN 0 without declaring it
// offline; a PD that is still connecting simply fails the attempt.
func (b *Bus) resync(p *pdConn, err error) {
	if !p.online || p.resyncs >= maxResyncs {
		b.offline(p, err)
		return
	}
	b.logger(p).Warn("osdp: resynchronising link", "err", err)
	if p.inflight != nil && p.inflight.req != nil {
		p.inflight.req.finish(nil, err)
	}
	p.resyncs++
	p.inflight, p.sess, p.seq, p.state = nil, nil, 0, stateID
	p.nextDue = time.Now()
	b.publishStatus(p)
}

func (b *Bus) offline(p *pdConn, err error) {
	now := time.Now()
	if p.inflight != nil && p.inflight.req != nil {
		p.inflight.req.finish(nil, fmt.Errorf("%w: %w", ErrOffline, err))
	}
	b.failQueued(p, fmt.Errorf("%w: %w", ErrOffline, err))
	p.inflight, p.sess, p.hs, p.seq, p.resyncs = nil, nil, nil, 0, 0
	p.state = stateOffline
	p.lastValid = time.Time{} // the next probe gets a single try
	p.lstat, p.inputs, p.outputs, p.readers = nil, nil, nil, nil
	p.nextDue = now.Add(p.backoff)
	p.backoff = min(2*p.backoff, b.cfg.ReconnectMax)
	wasOnline := p.online
	p.online = false
	if wasOnline || !p.reportedOffline {
		p.reportedOffline = true
		b.logger(p).Warn("osdp: PD offline", "err", err)
		b.publishStatus(p)
		b.emit(EventOffline{Addr: p.addr, Err: err})
	}
}

func (b *Bus) failQueued(p *pdConn, err error) {
	for _, r := range p.queue {
		r.finish(nil, err)
	}
	p.queue = nil
}
