package osdp

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"
)

func TestKnownFrames(t *testing.T) {
	tests := []struct {
		name string
		f    Frame
		want string
	}{
		{"POLL crc", Frame{Mark: true, Addr: 0x65, CRC: true, Code: CmdPoll}, "ff 53 65 08 00 04 60 60 90"},
		{"ID crc", Frame{Mark: true, Addr: 0x65, CRC: true, Code: CmdID, Data: []byte{0}}, "ff 53 65 09 00 04 61 00 d9 7a"},
		{"POLL checksum", Frame{Mark: true, Addr: 0x65, Code: CmdPoll}, "ff 53 65 07 00 00 60 e1"},
		{"POLL no mark", Frame{Addr: 0x65, Code: CmdPoll}, "53 65 07 00 00 60 e1"},
		{"COMSET broadcast", Frame{Addr: 0x7F, CRC: true, Code: CmdComSet, Data: []byte{0, 0x80, 0x25, 0, 0}}, "53 7F 0D 00 04 6E 00 80 25 00 00 6E 38"},
	}
	for _, tt := range tests {
		got, err := tt.f.Encode()
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		want := unhex(t, tt.want)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: got % x, want % x", tt.name, got, want)
		}
		back, err := DecodeFrame(want)
		if err != nil {
			t.Fatalf("%s: decode: %v", tt.name, err)
		}
		if diff := cmp.Diff(tt.f, back, frameCmp...); diff != "" {
			t.Errorf("%s: decode diff:\n%s", tt.name, diff)
		}
	}
}

var frameCmp = []cmp.Option{cmpopts.IgnoreUnexported(Frame{}), cmpopts.EquateEmpty()}

func TestDecodeFrameErrors(t *testing.T) {
	good := unhex(t, "53 65 08 00 04 60 60 90")
	bad := func(mut func(b []byte) []byte) []byte { return mut(append([]byte(nil), good...)) }
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"short", good[:4], ErrFrameShort},
		{"no SOM", bad(func(b []byte) []byte { b[0] = 0x54; return b }), ErrFrameSOM},
		{"len too big", bad(func(b []byte) []byte { b[2] = 9; return b }), ErrFrameShort},
		{"len too small", bad(func(b []byte) []byte { b[2] = 7; return b }), ErrFrameLength},
		{"crc", bad(func(b []byte) []byte { b[7] ^= 1; return b }), ErrFrameCheck},
		{"reserved ctrl", bad(func(b []byte) []byte { b[4] |= 0x10; return b }), ErrFrameReserved},
		{"scb overruns", unhex(t, "53 65 08 00 0c 09 60 00"), ErrFrameLength},
	}
	for _, tt := range tests {
		if _, err := DecodeFrame(tt.in); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func frameGen() *rapid.Generator[Frame] {
	return rapid.Custom(func(t *rapid.T) Frame {
		f := Frame{
			Mark:  rapid.Bool().Draw(t, "mark"),
			Addr:  rapid.ByteMax(0x7F).Draw(t, "addr"),
			Reply: rapid.Bool().Draw(t, "reply"),
			Seq:   rapid.ByteMax(3).Draw(t, "seq"),
			CRC:   rapid.Bool().Draw(t, "crc"),
			Code:  rapid.Byte().Draw(t, "code"),
			Data:  rapid.SliceOfN(rapid.Byte(), 0, 64).Draw(t, "data"),
		}
		if rapid.Bool().Draw(t, "scb") {
			f.SCB = rapid.SliceOfN(rapid.Byte(), 1, 10).Draw(t, "scbdata")
			if f.HasMAC() {
				copy(f.MAC[:], rapid.SliceOfN(rapid.Byte(), 4, 4).Draw(t, "mac"))
			}
		}
		return f
	})
}

func TestFrameRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		f := frameGen().Draw(t, "frame")
		wire, err := f.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if got := len(wire) - btoi(f.Mark); got != f.Len() {
			t.Fatalf("encoded %d bytes, Len() = %d", got, f.Len())
		}
		back, err := DecodeFrame(wire)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if diff := cmp.Diff(f, back, frameCmp...); diff != "" {
			t.Fatalf("round trip diff:\n%s", diff)
		}
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Frames separated by arbitrary garbage all come out of the parser, in
// order, however the stream is chunked. Garbage never contains SOM (or MARK,
// which would be indistinguishable from a frame's own MARK) so that it cannot
// swallow a real frame; corruption is tested separately.
func TestParserStreamProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		frames := rapid.SliceOfN(frameGen(), 1, 8).Draw(t, "frames")
		noSOM := rapid.ByteRange(0, 0x52)
		var stream []byte
		for i := range frames {
			stream = append(stream, rapid.SliceOfN(noSOM, 0, 12).Draw(t, "garbage")...)
			wire, err := frames[i].Encode()
			if err != nil {
				t.Fatal(err)
			}
			stream = append(stream, wire...)
		}
		var p Parser
		var got []Frame
		for len(stream) > 0 {
			n := rapid.IntRange(1, len(stream)).Draw(t, "chunk")
			p.Feed(stream[:n])
			stream = stream[n:]
			for f, ok := p.Next(); ok; f, ok = p.Next() {
				got = append(got, f)
			}
		}
		if diff := cmp.Diff(frames, got, frameCmp...); diff != "" {
			t.Fatalf("parsed frames differ:\n%s", diff)
		}
	})
}

func TestParserResyncAfterCorruption(t *testing.T) {
	poll := mustEncode(t, Frame{Mark: true, Addr: 1, CRC: true, Code: CmdPoll})
	id := mustEncode(t, Frame{Mark: true, Addr: 2, CRC: true, Code: CmdID, Data: []byte{0}})
	corrupt := append([]byte(nil), id...)
	corrupt[7] ^= 0x40 // data byte: CRC fails
	// Fake SOMs: reserved CTRL bits, LEN below the minimum, a short
	// plausible LEN whose CRC then fails.
	stream := bytes.Join([][]byte{{0x53, 0x01, 0x08, 0x00, 0x14}, corrupt, {0x53, 0x53, 0x02, 0x00}, poll,
		{0x00, 0x53, 0x00, 0x09, 0x00, 0x04, 0x00}, id}, nil)

	var p Parser
	p.Feed(stream)
	var codes []byte
	for f, ok := p.Next(); ok; f, ok = p.Next() {
		codes = append(codes, f.Code)
	}
	if !bytes.Equal(codes, []byte{CmdPoll, CmdID}) {
		t.Fatalf("codes = % x, want POLL then ID", codes)
	}
	if p.Discarded == 0 {
		t.Error("expected discarded bytes to be counted")
	}
}

// A corrupted LEN that is plausible but large makes the parser wait for
// bytes that never come; the receiver's silence timeout (Reset) recovers,
// as on a real RS-485 line.
func TestParserLongLengthRecoversOnReset(t *testing.T) {
	poll := mustEncode(t, Frame{Addr: 1, CRC: true, Code: CmdPoll})
	var p Parser
	p.Feed([]byte{0x53, 0x01, 0xFF, 0x03, 0x04})
	p.Feed(poll)
	if _, ok := p.Next(); ok {
		t.Fatal("unexpected frame while a long candidate is pending")
	}
	p.Reset()
	p.Feed(poll)
	if f, ok := p.Next(); !ok || f.Code != CmdPoll {
		t.Fatal("no frame after reset")
	}
}

func TestParserResetDropsPartial(t *testing.T) {
	poll := mustEncode(t, Frame{Addr: 1, CRC: true, Code: CmdPoll})
	var p Parser
	p.Feed(poll[:5])
	if _, ok := p.Next(); ok {
		t.Fatal("frame from partial input")
	}
	p.Reset()
	p.Feed(poll)
	if f, ok := p.Next(); !ok || f.Code != CmdPoll {
		t.Fatal("frame after reset not parsed")
	}
}
