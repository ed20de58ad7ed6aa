package osdp

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestCommandRoundTrip(t *testing.T) {
	cmds := []Command{
		Poll{}, IDRequest{}, CapRequest{}, LocalStatusRequest{}, InputStatusRequest{}, OutputStatusRequest{},
		ReaderStatusRequest{},
		PulseOutput(1, 3*time.Second),
		OutputControl{Outputs: []OutputCommand{{0, OutputPermOnAbort, 0}, {3, OutputTempOff, 0x1234}}},
		LEDControl{Records: []LEDRecord{SteadyLED(0, 1, ColorGreen), FlashLED(0, 0, ColorRed, ColorBlack, time.Second)}},
		BuzzerControl{Records: []BuzzerRecord{Beep(0, 200*time.Millisecond, 3)}},
		TextOutput{Reader: 0, Control: TextTempWrap, TempTime: 5, Row: 1, Column: 2, Text: "WELCOME"},
		ComSet{Address: 9, Baud: 115200},
		KeySet{Key: Key{1, 2, 3}},
		Challenge{RndA: annexRndA},
		SCrypt{Cryptogram: [16]byte{7}},
		ACURXSize{Size: 1024},
		KeepActive{Millis: 5000},
		Manufacturer{OUI: [3]byte{0x0a, 0x0b, 0x0c}, Data: []byte{1, 2, 3}},
	}
	for _, c := range cmds {
		data, err := c.MarshalData()
		if err != nil {
			t.Fatalf("%T marshal: %v", c, err)
		}
		back, err := DecodeCommand(c.CommandCode(), data)
		if err != nil {
			t.Fatalf("%T decode: %v", c, err)
		}
		if diff := cmp.Diff(c, back, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%T round trip:\n%s", c, diff)
		}
	}
}

func TestReplyRoundTrip(t *testing.T) {
	replies := []Reply{
		Ack{}, Busy{}, Nak{Code: NakSequence}, Nak{Code: NakUnknownCmd, Detail: []byte{9}},
		PDID{OUI: [3]byte{0xb1, 0xa0, 0x00}, Model: 0x99, Version: 1, Serial: 0x01020365, FirmwareMajor: 3, FirmwareMinor: 2, FirmwareBuild: 1},
		PDCap{Capabilities: []Capability{{CapCommSecurity, 1, 1}, {CapCheckCharacter, 1, 0}}},
		LocalStatus{Tamper: true}, InputStatus{Inputs: []byte{0, 1}}, OutputStatus{Outputs: []byte{1}},
		ReaderStatus{Readers: []byte{0}},
		RawCard{Reader: 0, CardFormat: RawFormatWiegand, Bits: 26, Data: []byte{0x0b, 0xcd, 0xef, 0x40}},
		Keypad{Reader: 0, Keys: KeypadBytes("12*#")},
		ComReply{Address: 3, Baud: 9600},
		CCrypt{CUID: annexCUID, RndB: annexRndB, Cryptogram: [16]byte{1}},
		RMACI{MAC: [16]byte{2}},
		MfgReply{OUI: [3]byte{1, 2, 3}, Data: []byte{4}},
	}
	for _, r := range replies {
		data, err := r.MarshalData()
		if err != nil {
			t.Fatalf("%T marshal: %v", r, err)
		}
		back, err := DecodeReply(r.ReplyCode(), data)
		if err != nil {
			t.Fatalf("%T decode: %v", r, err)
		}
		if diff := cmp.Diff(r, back, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%T round trip:\n%s", r, diff)
		}
	}
}

func TestWireExamplesFromReference(t *testing.T) {
	id, err := DecodeReply(ReplyPDID, unhex(t, "b1 a0 00 99 01 65 03 02 01 03 02 01"))
	if err != nil {
		t.Fatal(err)
	}
	if p := id.(PDID); p.Serial != 0x01020365 || p.Model != 0x99 || p.FirmwareMajor != 3 {
		t.Errorf("PDID = %v", p)
	}
	capr, err := DecodeReply(ReplyPDCap, unhex(t, "01 01 04 02 01 04 03 01 00 04 01 01 05 01 01 06 01 01 08 01 00 09 01 00 0a 00 01 0d 00 01 10 02 00"))
	if err != nil {
		t.Fatal(err)
	}
	c := capr.(PDCap)
	if !c.CRC16() || !c.SecureChannel() {
		t.Errorf("CRC16=%v SC=%v, want both true", c.CRC16(), c.SecureChannel())
	}
	if b, _ := c.Get(CapReceiveBuffer); int(b.Compliance)|int(b.NumItems)<<8 != 256 {
		t.Errorf("receive buffer = %+v", b)
	}
	raw, err := DecodeReply(ReplyRaw, unhex(t, "00 01 1a 00 0b cd ef 40"))
	if err != nil {
		t.Fatal(err)
	}
	if r := raw.(RawCard); r.Bits != 26 || r.CardFormat != RawFormatWiegand || !bytes.Equal(r.Data, unhex(t, "0bcdef40")) {
		t.Error("RAW decode mismatch")
	}
}

func TestPayloadErrors(t *testing.T) {
	var pe *PayloadError
	cases := []struct {
		code  byte
		reply bool
		data  []byte
	}{
		{CmdPoll, false, []byte{1}},
		{CmdLED, false, make([]byte, 13)},
		{CmdOut, false, nil},
		{CmdText, false, []byte{0, 0, 0, 0, 0, 5, 'a'}},
		{CmdChlng, false, make([]byte, 7)},
		{ReplyRaw, true, []byte{0, 1, 26, 0, 1}},
		{ReplyKeypad, true, []byte{0, 3, '1'}},
		{ReplyPDID, true, make([]byte, 11)},
		{ReplyNak, true, nil},
	}
	for _, c := range cases {
		var err error
		if c.reply {
			_, err = DecodeReply(c.code, c.data)
		} else {
			_, err = DecodeCommand(c.code, c.data)
		}
		if !errors.As(err, &pe) {
			t.Errorf("%s: err = %v, want PayloadError", CodeName(c.code, c.reply), err)
		}
	}
	if _, err := DecodeCommand(0x01, nil); !errors.Is(err, ErrUnknownCode) {
		t.Errorf("unknown command: %v", err)
	}
}

func TestUnits100ms(t *testing.T) {
	for d, want := range map[time.Duration]uint16{0: 0, time.Millisecond: 1, 100 * time.Millisecond: 1,
		250 * time.Millisecond: 3, time.Hour * 10: 0xFFFF} {
		if got := Units100ms(d); got != want {
			t.Errorf("Units100ms(%v) = %d, want %d", d, got, want)
		}
	}
}
