package osdp

import (
	"errors"
	"fmt"
	"time"
)

// Command is the body of a CP-to-PD message.
type Command interface {
	CommandCode() byte
	// MarshalData returns the bytes that follow the command code.
	MarshalData() ([]byte, error)
}

type (
	// Poll asks the PD for its next queued event, or ACK.
	Poll struct{}
	// IDRequest asks for the PDID report.
	IDRequest struct{ ReportType byte }
	// CapRequest asks for the PDCAP report.
	CapRequest struct{ ReportType byte }
	// LocalStatusRequest asks for tamper and power status (LSTATR).
	LocalStatusRequest struct{}
	// InputStatusRequest asks for input states (ISTATR).
	InputStatusRequest struct{}
	// OutputStatusRequest asks for output states (OSTATR).
	OutputStatusRequest struct{}
	// ReaderStatusRequest asks for attached reader tamper states (RSTATR).
	ReaderStatusRequest struct{}
)

func (Poll) CommandCode() byte            { return CmdPoll }
func (Poll) MarshalData() ([]byte, error) { return nil, nil }
func (IDRequest) CommandCode() byte       { return CmdID }
func (c IDRequest) MarshalData() ([]byte, error) {
	return []byte{c.ReportType}, nil
}
func (CapRequest) CommandCode() byte { return CmdCap }
func (c CapRequest) MarshalData() ([]byte, error) {
	return []byte{c.ReportType}, nil
}
func (LocalStatusRequest) CommandCode() byte            { return CmdLStat }
func (LocalStatusRequest) MarshalData() ([]byte, error) { return nil, nil }
func (InputStatusRequest) CommandCode() byte            { return CmdIStat }
func (InputStatusRequest) MarshalData() ([]byte, error) { return nil, nil }
func (OutputStatusRequest) CommandCode() byte           { return CmdOStat }
func (OutputStatusRequest) MarshalData() ([]byte, error) {
	return nil, nil
}
func (ReaderStatusRequest) CommandCode() byte { return CmdRStat }
func (ReaderStatusRequest) MarshalData() ([]byte, error) {
	return nil, nil
}

// OutputCode is the control code of one OUT record.
type OutputCode byte

// Output control codes.
const (
	OutputNop          OutputCode = 0
	OutputPermOffAbort OutputCode = 1 // permanent off, abort timed operation
	OutputPermOnAbort  OutputCode = 2 // permanent on, abort timed operation
	OutputPermOffAfter OutputCode = 3 // permanent off after timed operation
	OutputPermOnAfter  OutputCode = 4 // permanent on after timed operation
	OutputTempOn       OutputCode = 5 // temporary on, then resume permanent state
	OutputTempOff      OutputCode = 6 // temporary off, then resume permanent state
	outputRecordLen               = 4
	ledRecordLen                  = 14
	buzzerRecordLen               = 5
	maxTextLen                    = 255
	keySetLen                     = 2 + 16
	scbkKeyType                   = 0x01
	timerUnit                     = 100 * time.Millisecond
	maxTimerUnits                 = 0xFFFF
	mfgOUILen                     = 3
	challengeLen                  = 8
	cryptogramLen                 = 16
	pdidLen                       = 12
	capRecordLen                  = 3
	comLen                        = 5
	ccryptLen                     = 8 + 8 + 16
	rmacILen                      = 16
	rawHeaderLen                  = 4
	keypadHeaderLen               = 2
	lstatrLen                     = 2
	acuRXSizeLen                  = 2
	keepActiveLen                 = 2
)

// OutputCommand is one record of an OUT command. Timer is in units of
// 100 ms.
type OutputCommand struct {
	Output  byte
	Control OutputCode
	Timer   uint16
}

// OutputControl is osdp_OUT.
type OutputControl struct{ Outputs []OutputCommand }

// Units100ms converts a duration to the protocol's 100 ms timer units,
// rounding up so that a short pulse is never sent as "zero".
func Units100ms(d time.Duration) uint16 {
	if d <= 0 {
		return 0
	}
	u := (d + timerUnit - 1) / timerUnit
	if u > maxTimerUnits {
		return maxTimerUnits
	}
	return uint16(u)
}

// PulseOutput builds an OUT command that turns output on for d and then
// returns it to its permanent state (typically a door strike relay).
func PulseOutput(output byte, d time.Duration) OutputControl {
	return OutputControl{Outputs: []OutputCommand{{Output: output, Control: OutputTempOn, Timer: Units100ms(d)}}}
}

func (OutputControl) CommandCode() byte { return CmdOut }
func (c OutputControl) MarshalData() ([]byte, error) {
	if len(c.Outputs) == 0 {
		return nil, errors.New("osdp: OUT needs at least one record")
	}
	b := make([]byte, 0, len(c.Outputs)*outputRecordLen)
	for _, o := range c.Outputs {
		b = append(b, o.Output, byte(o.Control))
		b = put16(b, o.Timer)
	}
	return b, nil
}

// LED colours.
const (
	ColorBlack   = 0
	ColorRed     = 1
	ColorGreen   = 2
	ColorAmber   = 3
	ColorBlue    = 4
	ColorMagenta = 5
	ColorCyan    = 6
	ColorWhite   = 7
)

// LED temporary and permanent control codes.
const (
	LEDTempNop    = 0
	LEDTempCancel = 1
	LEDTempSet    = 2
	LEDPermNop    = 0
	LEDPermSet    = 1
)

// LEDRecord is one record of an LED command. On/off times are in units of
// 100 ms; TempTimer likewise.
type LEDRecord struct {
	Reader, LED                  byte
	TempControl, TempOn, TempOff byte
	TempOnColor, TempOffColor    byte
	TempTimer                    uint16
	PermControl, PermOn, PermOff byte
	PermOnColor, PermOffColor    byte
}

// LEDControl is osdp_LED.
type LEDControl struct{ Records []LEDRecord }

// SteadyLED returns a record that sets an LED permanently to one colour.
func SteadyLED(reader, led, color byte) LEDRecord {
	return LEDRecord{Reader: reader, LED: led, PermControl: LEDPermSet, PermOn: 1, PermOnColor: color, PermOffColor: color}
}

// FlashLED returns a record that flashes an LED temporarily for d.
func FlashLED(reader, led, onColor, offColor byte, d time.Duration) LEDRecord {
	return LEDRecord{Reader: reader, LED: led, TempControl: LEDTempSet, TempOn: 2, TempOff: 2,
		TempOnColor: onColor, TempOffColor: offColor, TempTimer: Units100ms(d)}
}

func (LEDControl) CommandCode() byte { return CmdLED }
func (c LEDControl) MarshalData() ([]byte, error) {
	if len(c.Records) == 0 {
		return nil, errors.New("osdp: LED needs at least one record")
	}
	b := make([]byte, 0, len(c.Records)*ledRecordLen)
	for _, r := range c.Records {
		b = append(b, r.Reader, r.LED, r.TempControl, r.TempOn, r.TempOff, r.TempOnColor, r.TempOffColor)
		b = put16(b, r.TempTimer)
		b = append(b, r.PermControl, r.PermOn, r.PermOff, r.PermOnColor, r.PermOffColor)
	}
	return b, nil
}

// Buzzer tones.
const (
	ToneNone    = 0
	ToneOff     = 1
	ToneDefault = 2
)

// BuzzerRecord is one record of a BUZ command; On and Off are in 100 ms
// units and Count 0 means repeat forever.
type BuzzerRecord struct {
	Reader, Tone, On, Off, Count byte
}

// BuzzerControl is osdp_BUZ.
type BuzzerControl struct{ Records []BuzzerRecord }

// Beep returns a buzzer record for count beeps of the given on time.
func Beep(reader byte, on time.Duration, count byte) BuzzerRecord {
	u := Units100ms(on)
	if u > 0xFF {
		u = 0xFF
	}
	return BuzzerRecord{Reader: reader, Tone: ToneDefault, On: byte(u), Off: byte(u), Count: count}
}

func (BuzzerControl) CommandCode() byte { return CmdBuz }
func (c BuzzerControl) MarshalData() ([]byte, error) {
	if len(c.Records) == 0 {
		return nil, errors.New("osdp: BUZ needs at least one record")
	}
	b := make([]byte, 0, len(c.Records)*buzzerRecordLen)
	for _, r := range c.Records {
		b = append(b, r.Reader, r.Tone, r.On, r.Off, r.Count)
	}
	return b, nil
}

// Text control codes.
const (
	TextPermNoWrap = 1
	TextPermWrap   = 2
	TextTempNoWrap = 3
	TextTempWrap   = 4
)

// TextOutput is osdp_TEXT. TempTime is in seconds.
type TextOutput struct {
	Reader, Control, TempTime, Row, Column byte
	Text                                   string
}

func (TextOutput) CommandCode() byte { return CmdText }
func (c TextOutput) MarshalData() ([]byte, error) {
	if len(c.Text) > maxTextLen {
		return nil, fmt.Errorf("osdp: TEXT longer than %d bytes", maxTextLen)
	}
	b := []byte{c.Reader, c.Control, c.TempTime, c.Row, c.Column, byte(len(c.Text))}
	return append(b, c.Text...), nil
}

// ComSet is osdp_COMSET: move the PD to a new address and baud rate.
type ComSet struct {
	Address byte
	Baud    uint32
}

func (ComSet) CommandCode() byte { return CmdComSet }
func (c ComSet) MarshalData() ([]byte, error) {
	if c.Address > MaxAddress {
		return nil, fmt.Errorf("osdp: COMSET address %#x out of range", c.Address)
	}
	return put32([]byte{c.Address}, c.Baud), nil
}

// KeySet is osdp_KEYSET. It is only valid inside a secure channel.
type KeySet struct{ Key Key }

func (KeySet) CommandCode() byte { return CmdKeySet }
func (c KeySet) MarshalData() ([]byte, error) {
	b := make([]byte, 0, keySetLen)
	b = append(b, scbkKeyType, byte(len(c.Key)))
	return append(b, c.Key[:]...), nil
}

// Format redacts the key.
func (KeySet) Format(f fmt.State, _ rune) { writeRedacted(f, "KeySet") }

// Challenge is osdp_CHLNG, the first handshake message.
type Challenge struct{ RndA [challengeLen]byte }

func (Challenge) CommandCode() byte { return CmdChlng }
func (c Challenge) MarshalData() ([]byte, error) {
	return append([]byte(nil), c.RndA[:]...), nil
}

// SCrypt is osdp_SCRYPT carrying the server (CP) cryptogram.
type SCrypt struct{ Cryptogram [cryptogramLen]byte }

func (SCrypt) CommandCode() byte { return CmdSCrypt }
func (c SCrypt) MarshalData() ([]byte, error) {
	return append([]byte(nil), c.Cryptogram[:]...), nil
}

// ACURXSize tells the PD the largest reply the CP can receive.
type ACURXSize struct{ Size uint16 }

func (ACURXSize) CommandCode() byte              { return CmdACURXSize }
func (c ACURXSize) MarshalData() ([]byte, error) { return put16(nil, c.Size), nil }

// KeepActive extends the PD's secure channel timeout by Millis.
type KeepActive struct{ Millis uint16 }

func (KeepActive) CommandCode() byte              { return CmdKeepActive }
func (c KeepActive) MarshalData() ([]byte, error) { return put16(nil, c.Millis), nil }

// Manufacturer is osdp_MFG: a vendor-specific command.
type Manufacturer struct {
	OUI  [mfgOUILen]byte
	Data []byte
}

func (Manufacturer) CommandCode() byte { return CmdMfg }
func (c Manufacturer) MarshalData() ([]byte, error) {
	return append(c.OUI[:len(c.OUI):len(c.OUI)], c.Data...), nil
}

// DecodeCommand parses the body of a command frame.
func DecodeCommand(code byte, data []byte) (Command, error) {
	fixed := func(n int) error {
		if len(data) != n {
			return badCmdLen(code, data)
		}
		return nil
	}
	records := func(size int) (int, error) {
		if len(data) == 0 || len(data)%size != 0 {
			return 0, badCmdLen(code, data)
		}
		return len(data) / size, nil
	}
	switch code {
	case CmdPoll:
		return Poll{}, fixed(0)
	case CmdLStat:
		return LocalStatusRequest{}, fixed(0)
	case CmdIStat:
		return InputStatusRequest{}, fixed(0)
	case CmdOStat:
		return OutputStatusRequest{}, fixed(0)
	case CmdRStat:
		return ReaderStatusRequest{}, fixed(0)
	case CmdID, CmdCap:
		if err := fixed(1); err != nil {
			return nil, err
		}
		if code == CmdID {
			return IDRequest{ReportType: data[0]}, nil
		}
		return CapRequest{ReportType: data[0]}, nil
	case CmdOut:
		n, err := records(outputRecordLen)
		if err != nil {
			return nil, err
		}
		c := OutputControl{Outputs: make([]OutputCommand, n)}
		for i := range c.Outputs {
			r := data[i*outputRecordLen:]
			c.Outputs[i] = OutputCommand{Output: r[0], Control: OutputCode(r[1]), Timer: le16(r[2:])}
		}
		return c, nil
	case CmdLED:
		n, err := records(ledRecordLen)
		if err != nil {
			return nil, err
		}
		c := LEDControl{Records: make([]LEDRecord, n)}
		for i := range c.Records {
			r := data[i*ledRecordLen:]
			c.Records[i] = LEDRecord{Reader: r[0], LED: r[1], TempControl: r[2], TempOn: r[3], TempOff: r[4],
				TempOnColor: r[5], TempOffColor: r[6], TempTimer: le16(r[7:]), PermControl: r[9],
				PermOn: r[10], PermOff: r[11], PermOnColor: r[12], PermOffColor: r[13]}
		}
		return c, nil
	case CmdBuz:
		n, err := records(buzzerRecordLen)
		if err != nil {
			return nil, err
		}
		c := BuzzerControl{Records: make([]BuzzerRecord, n)}
		for i := range c.Records {
			r := data[i*buzzerRecordLen:]
			c.Records[i] = BuzzerRecord{Reader: r[0], Tone: r[1], On: r[2], Off: r[3], Count: r[4]}
		}
		return c, nil
	case CmdText:
		if len(data) < 6 || len(data) != 6+int(data[5]) {
			return nil, badCmdLen(code, data)
		}
		return TextOutput{Reader: data[0], Control: data[1], TempTime: data[2], Row: data[3],
			Column: data[4], Text: string(data[6:])}, nil
	case CmdComSet:
		if err := fixed(comLen); err != nil {
			return nil, err
		}
		return ComSet{Address: data[0], Baud: le32(data[1:])}, nil
	case CmdKeySet:
		if err := fixed(keySetLen); err != nil {
			return nil, err
		}
		if data[0] != scbkKeyType || data[1] != 16 {
			return nil, errors.New("osdp: KEYSET with unsupported key type or length")
		}
		var c KeySet
		copy(c.Key[:], data[2:])
		return c, nil
	case CmdChlng:
		if err := fixed(challengeLen); err != nil {
			return nil, err
		}
		var c Challenge
		copy(c.RndA[:], data)
		return c, nil
	case CmdSCrypt:
		if err := fixed(cryptogramLen); err != nil {
			return nil, err
		}
		var c SCrypt
		copy(c.Cryptogram[:], data)
		return c, nil
	case CmdACURXSize:
		if err := fixed(acuRXSizeLen); err != nil {
			return nil, err
		}
		return ACURXSize{Size: le16(data)}, nil
	case CmdKeepActive:
		if err := fixed(keepActiveLen); err != nil {
			return nil, err
		}
		return KeepActive{Millis: le16(data)}, nil
	case CmdMfg:
		if len(data) < mfgOUILen {
			return nil, badCmdLen(code, data)
		}
		var c Manufacturer
		copy(c.OUI[:], data)
		c.Data = append([]byte(nil), data[mfgOUILen:]...)
		return c, nil
	}
	return nil, ErrUnknownCode
}
