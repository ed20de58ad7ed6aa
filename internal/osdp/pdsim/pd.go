// Package pdsim simulates OSDP peripherals (readers) for tests and for
// developers without hardware. A PD answers ID, CAP, POLL and the output
// commands, speaks the secure channel including install mode and KEYSET,
// and can be told to present cards, type keys, report tamper or go silent.
// Every output command it receives is recorded for assertions.
package pdsim

import (
	"bytes"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/osdp"
)

// Config describes a simulated PD.
type Config struct {
	Address byte
	ID      osdp.PDID
	// Capabilities defaults to DefaultCapabilities(Inputs, Outputs).
	Capabilities []osdp.Capability
	// SCBK is the installed key; nil means install mode, where only a
	// handshake with SCBK-D is accepted.
	SCBK *osdp.Key
	// Inputs and Outputs are the number of I/O points (defaults 2 and 2).
	Inputs, Outputs int
	// SCTimeout drops the secure channel after this long without a valid
	// secure command. Default 8 s.
	SCTimeout time.Duration
	// OnKeySet is called (outside the PD's lock) when KEYSET installs a key.
	OnKeySet func(osdp.Key)
}

// DefaultCapabilities is a reader with LED, buzzer, text, CRC and AES.
func DefaultCapabilities(inputs, outputs int) []osdp.Capability {
	return []osdp.Capability{
		{Function: osdp.CapContactStatus, Compliance: 1, NumItems: byte(inputs)},
		{Function: osdp.CapOutputControl, Compliance: 1, NumItems: byte(outputs)},
		{Function: osdp.CapCardFormat, Compliance: 1},
		{Function: osdp.CapLED, Compliance: 1, NumItems: 1},
		{Function: osdp.CapAudible, Compliance: 1, NumItems: 1},
		{Function: osdp.CapText, Compliance: 1, NumItems: 1},
		{Function: osdp.CapCheckCharacter, Compliance: 1},
		{Function: osdp.CapCommSecurity, Compliance: 1},
		{Function: osdp.CapReceiveBuffer, Compliance: 0x00, NumItems: 0x04},
		{Function: osdp.CapReaders, NumItems: 1},
		{Function: osdp.CapOSDPVersion, Compliance: 2},
	}
}

// PD is one simulated peripheral. All methods are safe for concurrent use.
type PD struct {
	mu  sync.Mutex
	cfg Config

	addr   byte
	key    *osdp.Key
	sess   *osdp.Session
	hs     *osdp.PDHandshake
	lastSC time.Time

	// Retransmission cache: the last command and the reply sent to it.
	lastSeq   int
	lastCmd   []byte
	lastReply []byte

	pending  []osdp.Reply // events for POLL, oldest first
	silent   bool
	busy     int
	tamper   bool
	power    bool
	inputs   []byte
	outputs  []byte
	received []byte

	leds    []osdp.LEDRecord
	buzzes  []osdp.BuzzerRecord
	outs    []osdp.OutputCommand
	texts   []osdp.TextOutput
	mfgs    []osdp.Manufacturer
	comsets []osdp.ComSet
}

// New creates a PD.
func New(cfg Config) *PD {
	if cfg.Inputs == 0 {
		cfg.Inputs = 2
	}
	if cfg.Outputs == 0 {
		cfg.Outputs = 2
	}
	if cfg.Capabilities == nil {
		cfg.Capabilities = DefaultCapabilities(cfg.Inputs, cfg.Outputs)
	}
	if cfg.SCTimeout <= 0 {
		cfg.SCTimeout = 8 * time.Second
	}
	if cfg.ID == (osdp.PDID{}) {
		cfg.ID = osdp.PDID{OUI: [3]byte{0x0A, 0x0B, 0x0C}, Model: 1, Version: 1, Serial: 0x1000 + uint32(cfg.Address),
			FirmwareMajor: 1}
	}
	p := &PD{cfg: cfg, addr: cfg.Address, lastSeq: -1,
		inputs: make([]byte, cfg.Inputs), outputs: make([]byte, cfg.Outputs)}
	if cfg.SCBK != nil {
		k := *cfg.SCBK
		p.key = &k
	}
	return p
}

// Address returns the current address (COMSET may change it).
func (p *PD) Address() byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.addr
}

func (p *PD) queue(r osdp.Reply) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pending = append(p.pending, r)
}

// PresentCard queues a card read with raw bits (MSB of data[0] first).
func (p *PD) PresentCard(bits int, data []byte) {
	p.queue(osdp.RawCard{Reader: 0, CardFormat: osdp.RawFormatWiegand, Bits: uint16(bits),
		Data: append([]byte(nil), data...)})
}

// PresentWiegand queues a card read for a known Wiegand format.
func (p *PD) PresentWiegand(format string, facility uint32, number uint64) error {
	n, data, err := osdp.EncodeWiegand(format, facility, number)
	if err != nil {
		return err
	}
	p.PresentCard(n, data)
	return nil
}

// TypeKeys queues keypad input; '*' and '#' are translated to OSDP codes.
func (p *PD) TypeKeys(s string) {
	p.queue(osdp.Keypad{Reader: 0, Keys: osdp.KeypadBytes(s)})
}

// SetSilent makes the PD ignore everything, as if unplugged.
func (p *PD) SetSilent(silent bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.silent = silent
}

// SetTamper changes the tamper state and queues an LSTATR report.
func (p *PD) SetTamper(t bool) {
	p.mu.Lock()
	p.tamper = t
	r := osdp.LocalStatus{Tamper: p.tamper, PowerFailure: p.power}
	p.mu.Unlock()
	p.queue(r)
}

// SetPowerFailure changes the power state and queues an LSTATR report.
func (p *PD) SetPowerFailure(f bool) {
	p.mu.Lock()
	p.power = f
	r := osdp.LocalStatus{Tamper: p.tamper, PowerFailure: p.power}
	p.mu.Unlock()
	p.queue(r)
}

// SetInput changes input i and queues an ISTATR report.
func (p *PD) SetInput(i int, active bool) {
	p.mu.Lock()
	if i >= 0 && i < len(p.inputs) {
		p.inputs[i] = boolByte(active)
	}
	r := osdp.InputStatus{Inputs: append([]byte(nil), p.inputs...)}
	p.mu.Unlock()
	p.queue(r)
}

// ReplyBusy makes the PD answer the next n commands with osdp_BUSY.
func (p *PD) ReplyBusy(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.busy = n
}

// Key returns the installed SCBK, if any.
func (p *PD) Key() (osdp.Key, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.key == nil {
		return osdp.Key{}, false
	}
	return *p.key, true
}

// Secure reports whether a secure channel session is active.
func (p *PD) Secure() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sess != nil
}

// Received returns the codes of all commands processed, in order.
func (p *PD) Received() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]byte(nil), p.received...)
}

// LEDs returns the LED records received.
func (p *PD) LEDs() []osdp.LEDRecord {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]osdp.LEDRecord(nil), p.leds...)
}

// Buzzes returns the buzzer records received.
func (p *PD) Buzzes() []osdp.BuzzerRecord {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]osdp.BuzzerRecord(nil), p.buzzes...)
}

// OutputCommands returns the OUT records received.
func (p *PD) OutputCommands() []osdp.OutputCommand {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]osdp.OutputCommand(nil), p.outs...)
}

// Texts returns the TEXT commands received.
func (p *PD) Texts() []osdp.TextOutput {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]osdp.TextOutput(nil), p.texts...)
}

// Manufacturer returns the MFG commands received.
func (p *PD) Manufacturer() []osdp.Manufacturer {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]osdp.Manufacturer(nil), p.mfgs...)
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func nextSeq(s int) int {
	if s >= 3 {
		return 1
	}
	return s + 1
}

// reply is what the PD sends back for one command.
type reply struct {
	r osdp.Reply
	// scb is set for the plaintext handshake replies (CCRYPT, RMAC_I).
	scb []byte
	// plain forces a plaintext reply even with a session (NAK after a
	// security failure).
	plain bool
	// after runs once the reply has been encoded under the old session
	// (KEYSET switches keys, COMSET switches address). It returns a newly
	// installed key, to be reported outside the lock.
	after func() *osdp.Key
}

// Handle processes one frame addressed to this PD and returns the bytes to
// send back, or nil to stay silent. replyAddr is the address to answer
// with (the PD's own, or 0x7F for a broadcast).
func (p *PD) Handle(f osdp.Frame, replyAddr byte) []byte {
	p.mu.Lock()
	out, installed := p.handleLocked(f, replyAddr)
	p.mu.Unlock()
	if installed != nil && p.cfg.OnKeySet != nil {
		p.cfg.OnKeySet(*installed)
	}
	return out
}

func (p *PD) handleLocked(f osdp.Frame, replyAddr byte) (out []byte, installed *osdp.Key) {
	if p.silent || f.Reply {
		return nil, nil
	}
	raw := f.Raw()
	switch {
	case f.Seq == 0:
		// SQN 0 resets the link: drop the session and the reply cache.
		p.sess, p.hs, p.lastReply, p.lastCmd = nil, nil, nil, nil
	case p.lastReply != nil && int(f.Seq) == p.lastSeq && bytes.Equal(raw, p.lastCmd):
		// The CP did not get our reply: send it again, byte for byte,
		// without acting on the command twice.
		return p.withMark(f, p.lastReply), nil
	case p.lastSeq >= 0 && int(f.Seq) != nextSeq(p.lastSeq):
		return p.withMark(f, p.encode(f, replyAddr, reply{r: osdp.Nak{Code: osdp.NakSequence}, plain: true}, false)), nil
	}
	if p.busy > 0 {
		p.busy--
		b, _ := (&osdp.Frame{Addr: replyAddr, Reply: true, Seq: 0, CRC: true, Code: osdp.ReplyBusy}).Encode()
		return p.withMark(f, b), nil
	}
	if p.sess != nil && time.Since(p.lastSC) > p.cfg.SCTimeout {
		p.sess = nil
	}
	rep, secure := p.process(&f)
	out = p.encode(f, replyAddr, rep, secure)
	p.lastSeq, p.lastCmd, p.lastReply = int(f.Seq), append([]byte(nil), raw...), out
	if rep.after != nil {
		installed = rep.after()
	}
	return p.withMark(f, out), installed
}

func (p *PD) withMark(f osdp.Frame, b []byte) []byte {
	if f.Mark && len(b) > 0 {
		return append([]byte{0xFF}, b...)
	}
	return b
}

// encode builds the reply frame. The libosdp PD always answers with CRC,
// so the simulator does too (the CP must read the trailer type per frame).
func (p *PD) encode(f osdp.Frame, addr byte, rep reply, secure bool) []byte {
	data, err := rep.r.MarshalData()
	if err != nil {
		rep = reply{r: osdp.Nak{Code: osdp.NakRecord}, plain: true}
		data, _ = rep.r.MarshalData()
	}
	out := osdp.Frame{Addr: addr, Reply: true, Seq: f.Seq, CRC: true, SCB: rep.scb, Code: rep.r.ReplyCode(), Data: data}
	var b []byte
	if secure && p.sess != nil && !rep.plain {
		b, err = p.sess.SealReply(&out)
	} else {
		b, err = out.Encode()
	}
	if err != nil {
		return nil
	}
	return b
}
