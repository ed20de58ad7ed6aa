package osdp

import (
	"fmt"
	"strconv"
)

// Reply is the body of a PD-to-CP message.
type Reply interface {
	ReplyCode() byte
	// MarshalData returns the bytes that follow the reply code.
	MarshalData() ([]byte, error)
}

type (
	// Ack is osdp_ACK.
	Ack struct{}
	// Busy is osdp_BUSY: the PD cannot answer now; the CP resends later.
	Busy struct{}
)

func (Ack) ReplyCode() byte               { return ReplyAck }
func (Ack) MarshalData() ([]byte, error)  { return nil, nil }
func (Busy) ReplyCode() byte              { return ReplyBusy }
func (Busy) MarshalData() ([]byte, error) { return nil, nil }

// Nak is osdp_NAK.
type Nak struct {
	Code NakCode
	// Detail is optional extra data some PDs append.
	Detail []byte
}

func (Nak) ReplyCode() byte { return ReplyNak }
func (r Nak) MarshalData() ([]byte, error) {
	return append([]byte{byte(r.Code)}, r.Detail...), nil
}

// PDID is the identification report.
type PDID struct {
	OUI                          [3]byte
	Model, Version               byte
	Serial                       uint32
	FirmwareMajor, FirmwareMinor byte
	FirmwareBuild                byte
}

func (PDID) ReplyCode() byte { return ReplyPDID }
func (r PDID) MarshalData() ([]byte, error) {
	b := append(r.OUI[:3:3], r.Model, r.Version)
	b = put32(b, r.Serial)
	return append(b, r.FirmwareMajor, r.FirmwareMinor, r.FirmwareBuild), nil
}

func (r PDID) String() string {
	return fmt.Sprintf("vendor %02x%02x%02x model %d v%d serial %08x fw %d.%d.%d", r.OUI[0], r.OUI[1], r.OUI[2],
		r.Model, r.Version, r.Serial, r.FirmwareMajor, r.FirmwareMinor, r.FirmwareBuild)
}

// Capability function codes (PDCAP).
const (
	CapContactStatus  = 1
	CapOutputControl  = 2
	CapCardFormat     = 3
	CapLED            = 4
	CapAudible        = 5
	CapText           = 6
	CapTimeKeeping    = 7
	CapCheckCharacter = 8
	CapCommSecurity   = 9
	CapReceiveBuffer  = 10
	CapMaxMessage     = 11
	CapSmartCard      = 12
	CapReaders        = 13
	CapBiometrics     = 14
	CapSecurePIN      = 15
	CapOSDPVersion    = 16
)

// Capability is one PDCAP record.
type Capability struct {
	Function, Compliance, NumItems byte
}

// PDCap is the capabilities report.
type PDCap struct{ Capabilities []Capability }

func (PDCap) ReplyCode() byte { return ReplyPDCap }
func (r PDCap) MarshalData() ([]byte, error) {
	b := make([]byte, 0, len(r.Capabilities)*capRecordLen)
	for _, c := range r.Capabilities {
		b = append(b, c.Function, c.Compliance, c.NumItems)
	}
	return b, nil
}

// Get returns the record for a function code.
func (r PDCap) Get(function byte) (Capability, bool) {
	for _, c := range r.Capabilities {
		if c.Function == function {
			return c, true
		}
	}
	return Capability{}, false
}

// SecureChannel reports AES-128 secure channel support.
func (r PDCap) SecureChannel() bool {
	c, ok := r.Get(CapCommSecurity)
	return ok && c.Compliance&1 != 0
}

// CRC16 reports CRC-16 check character support.
func (r PDCap) CRC16() bool {
	c, ok := r.Get(CapCheckCharacter)
	return ok && c.Compliance&1 != 0
}

// LocalStatus is osdp_LSTATR.
type LocalStatus struct{ Tamper, PowerFailure bool }

func (LocalStatus) ReplyCode() byte { return ReplyLStatR }
func (r LocalStatus) MarshalData() ([]byte, error) {
	return []byte{boolByte(r.Tamper), boolByte(r.PowerFailure)}, nil
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// InputStatus is osdp_ISTATR: one byte per input, non-zero = active.
type InputStatus struct{ Inputs []byte }

func (InputStatus) ReplyCode() byte                { return ReplyIStatR }
func (r InputStatus) MarshalData() ([]byte, error) { return append([]byte(nil), r.Inputs...), nil }

// OutputStatus is osdp_OSTATR: one byte per output.
type OutputStatus struct{ Outputs []byte }

func (OutputStatus) ReplyCode() byte { return ReplyOStatR }
func (r OutputStatus) MarshalData() ([]byte, error) {
	return append([]byte(nil), r.Outputs...), nil
}

// ReaderStatus is osdp_RSTATR: one tamper byte per attached reader.
type ReaderStatus struct{ Readers []byte }

func (ReaderStatus) ReplyCode() byte { return ReplyRStatR }
func (r ReaderStatus) MarshalData() ([]byte, error) {
	return append([]byte(nil), r.Readers...), nil
}

// Card data formats in osdp_RAW.
const (
	RawFormatUnspecified = 0
	RawFormatWiegand     = 1
)

// RawCard is osdp_RAW: card data as a bit string, most significant bit of
// Data[0] first.
type RawCard struct {
	Reader, CardFormat byte
	Bits               uint16
	Data               []byte
}

func (RawCard) ReplyCode() byte { return ReplyRaw }
func (r RawCard) MarshalData() ([]byte, error) {
	if len(r.Data)*8 < int(r.Bits) {
		return nil, fmt.Errorf("osdp: RAW has %d bits but only %d data bytes", r.Bits, len(r.Data))
	}
	b := append([]byte{r.Reader, r.CardFormat}, byte(r.Bits), byte(r.Bits>>8))
	return append(b, r.Data...), nil
}

// Format redacts the card number: card data is personal data and a
// credential.
func (r RawCard) Format(f fmt.State, _ rune) {
	writeRedacted(f, "RawCard(reader "+strconv.Itoa(int(r.Reader))+", "+strconv.Itoa(int(r.Bits))+" bits)")
}

// Keypad is osdp_KEYPAD. Digits are ASCII '0'..'9', '*' is 0x7F, '#' is 0x0D.
type Keypad struct {
	Reader byte
	Keys   []byte
}

func (Keypad) ReplyCode() byte { return ReplyKeypad }
func (r Keypad) MarshalData() ([]byte, error) {
	if len(r.Keys) > 0xFF {
		return nil, fmt.Errorf("osdp: KEYPAD with %d keys", len(r.Keys))
	}
	return append([]byte{r.Reader, byte(len(r.Keys))}, r.Keys...), nil
}

// Format redacts the digits (they may be a PIN).
func (r Keypad) Format(f fmt.State, _ rune) {
	writeRedacted(f, "Keypad(reader "+strconv.Itoa(int(r.Reader))+", "+strconv.Itoa(len(r.Keys))+" keys)")
}

// Keypad key encodings that are not plain ASCII.
const (
	KeyStar  = 0x7F
	KeyPound = 0x0D
)

// KeypadText converts keypad bytes to a printable string using '*' and '#'.
func KeypadText(keys []byte) string {
	b := make([]byte, len(keys))
	for i, k := range keys {
		switch k {
		case KeyStar:
			b[i] = '*'
		case KeyPound:
			b[i] = '#'
		default:
			b[i] = k
		}
	}
	return string(b)
}

// KeypadBytes is the inverse of KeypadText.
func KeypadBytes(s string) []byte {
	b := []byte(s)
	for i, c := range b {
		switch c {
		case '*':
			b[i] = KeyStar
		case '#':
			b[i] = KeyPound
		}
	}
	return b
}

// ComReply is osdp_COM: the communication settings the PD will use.
type ComReply struct {
	Address byte
	Baud    uint32
}

func (ComReply) ReplyCode() byte { return ReplyCom }
func (r ComReply) MarshalData() ([]byte, error) {
	return put32([]byte{r.Address}, r.Baud), nil
}

// CCrypt is osdp_CCRYPT, the PD's handshake answer.
type CCrypt struct {
	CUID       [8]byte
	RndB       [8]byte
	Cryptogram [cryptogramLen]byte
}

func (CCrypt) ReplyCode() byte { return ReplyCCrypt }
func (r CCrypt) MarshalData() ([]byte, error) {
	b := make([]byte, 0, ccryptLen)
	b = append(b, r.CUID[:]...)
	b = append(b, r.RndB[:]...)
	return append(b, r.Cryptogram[:]...), nil
}

// RMACI is osdp_RMAC_I, the initial reply MAC that completes the handshake.
type RMACI struct{ MAC [rmacILen]byte }

func (RMACI) ReplyCode() byte { return ReplyRMACI }
func (r RMACI) MarshalData() ([]byte, error) {
	return append([]byte(nil), r.MAC[:]...), nil
}

// MfgReply is osdp_MFGREP.
type MfgReply struct {
	OUI  [mfgOUILen]byte
	Data []byte
}

func (MfgReply) ReplyCode() byte { return ReplyMfgRep }
func (r MfgReply) MarshalData() ([]byte, error) {
	return append(r.OUI[:len(r.OUI):len(r.OUI)], r.Data...), nil
}

// DecodeReply parses the body of a reply frame.
func DecodeReply(code byte, data []byte) (Reply, error) {
	fixed := func(n int) error {
		if len(data) != n {
			return badReplyLen(code, data)
		}
		return nil
	}
	clone := func() []byte { return append([]byte(nil), data...) }
	switch code {
	case ReplyAck:
		return Ack{}, fixed(0)
	case ReplyBusy:
		return Busy{}, fixed(0)
	case ReplyNak:
		if len(data) < 1 {
			return nil, badReplyLen(code, data)
		}
		r := Nak{Code: NakCode(data[0])}
		if len(data) > 1 {
			r.Detail = append([]byte(nil), data[1:]...)
		}
		return r, nil
	case ReplyPDID:
		if err := fixed(pdidLen); err != nil {
			return nil, err
		}
		r := PDID{Model: data[3], Version: data[4], Serial: le32(data[5:]),
			FirmwareMajor: data[9], FirmwareMinor: data[10], FirmwareBuild: data[11]}
		copy(r.OUI[:], data)
		return r, nil
	case ReplyPDCap:
		if len(data)%capRecordLen != 0 {
			return nil, badReplyLen(code, data)
		}
		r := PDCap{Capabilities: make([]Capability, len(data)/capRecordLen)}
		for i := range r.Capabilities {
			c := data[i*capRecordLen:]
			r.Capabilities[i] = Capability{Function: c[0], Compliance: c[1], NumItems: c[2]}
		}
		return r, nil
	case ReplyLStatR:
		if err := fixed(lstatrLen); err != nil {
			return nil, err
		}
		return LocalStatus{Tamper: data[0] != 0, PowerFailure: data[1] != 0}, nil
	case ReplyIStatR:
		return InputStatus{Inputs: clone()}, nil
	case ReplyOStatR:
		return OutputStatus{Outputs: clone()}, nil
	case ReplyRStatR:
		return ReaderStatus{Readers: clone()}, nil
	case ReplyRaw:
		if len(data) < rawHeaderLen {
			return nil, badReplyLen(code, data)
		}
		r := RawCard{Reader: data[0], CardFormat: data[1], Bits: le16(data[2:])}
		if (int(r.Bits)+7)/8 != len(data)-rawHeaderLen {
			return nil, badReplyLen(code, data)
		}
		r.Data = append([]byte(nil), data[rawHeaderLen:]...)
		return r, nil
	case ReplyKeypad:
		if len(data) < keypadHeaderLen || int(data[1]) != len(data)-keypadHeaderLen {
			return nil, badReplyLen(code, data)
		}
		return Keypad{Reader: data[0], Keys: append([]byte(nil), data[keypadHeaderLen:]...)}, nil
	case ReplyCom:
		if err := fixed(comLen); err != nil {
			return nil, err
		}
		return ComReply{Address: data[0], Baud: le32(data[1:])}, nil
	case ReplyCCrypt:
		if err := fixed(ccryptLen); err != nil {
			return nil, err
		}
		var r CCrypt
		copy(r.CUID[:], data[0:8])
		copy(r.RndB[:], data[8:16])
		copy(r.Cryptogram[:], data[16:])
		return r, nil
	case ReplyRMACI:
		if err := fixed(rmacILen); err != nil {
			return nil, err
		}
		var r RMACI
		copy(r.MAC[:], data)
		return r, nil
	case ReplyMfgRep:
		if len(data) < mfgOUILen {
			return nil, badReplyLen(code, data)
		}
		var r MfgReply
		copy(r.OUI[:], data)
		r.Data = append([]byte(nil), data[mfgOUILen:]...)
		return r, nil
	}
	return nil, ErrUnknownCode
}
