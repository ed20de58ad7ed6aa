package osdp

import "fmt"

// Event is something a PD reported or a change in its link state. Events
// are delivered on the bus goroutine through Config.OnEvent.
type Event interface {
	// PD returns the address of the peripheral the event concerns.
	PD() byte
}

// EventOnline: the PD answered discovery (and completed the secure
// channel handshake if configured secure) and is ready for commands.
type EventOnline struct {
	Addr   byte
	ID     PDID
	Cap    PDCap
	Secure bool
}

// EventOffline: the PD stopped answering, or discovery or the secure channel
// failed. Err says why; it never contains key material.
type EventOffline struct {
	Addr byte
	Err  error
}

// EventProvisioned: the PD accepted a new SCBK via KEYSET and a fresh
// handshake under that key succeeded.
type EventProvisioned struct{ Addr byte }

// EventCard: a credential was presented. Card data redacts itself when
// formatted; use CardIdentifier or DecodeWiegand to get the identifier.
type EventCard struct {
	Addr byte
	Card RawCard
}

// EventKeypad: keys were pressed. Use KeypadText for a printable form.
type EventKeypad struct {
	Addr   byte
	Keypad Keypad
}

// EventLocalStatus: tamper or power status changed (or was first seen).
type EventLocalStatus struct {
	Addr                 byte
	Tamper, PowerFailure bool
}

// EventInputs: input states changed; one byte per input, non-zero = active.
type EventInputs struct {
	Addr   byte
	Inputs []byte
}

// EventOutputs: output states reported.
type EventOutputs struct {
	Addr    byte
	Outputs []byte
}

// EventReaderStatus: attached reader tamper states changed.
type EventReaderStatus struct {
	Addr    byte
	Readers []byte
}

// EventMfgReply: an unsolicited manufacturer-specific reply to a poll.
type EventMfgReply struct {
	Addr  byte
	Reply MfgReply
}

func (e EventOnline) PD() byte       { return e.Addr }
func (e EventOffline) PD() byte      { return e.Addr }
func (e EventProvisioned) PD() byte  { return e.Addr }
func (e EventCard) PD() byte         { return e.Addr }
func (e EventKeypad) PD() byte       { return e.Addr }
func (e EventLocalStatus) PD() byte  { return e.Addr }
func (e EventInputs) PD() byte       { return e.Addr }
func (e EventOutputs) PD() byte      { return e.Addr }
func (e EventReaderStatus) PD() byte { return e.Addr }
func (e EventMfgReply) PD() byte     { return e.Addr }

// NakError is returned by Bus.Send when the PD refused a command.
type NakError struct {
	Addr byte
	Cmd  byte
	Code NakCode
}

func (e *NakError) Error() string {
	return fmt.Sprintf("osdp: PD %#02x refused %s: NAK %d (%s)", e.Addr, CodeName(e.Cmd, false), byte(e.Code), e.Code)
}
