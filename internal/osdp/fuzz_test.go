package osdp

import (
	"bytes"
	"testing"
)

func fuzzSeeds(f *testing.F) {
	seeds := []string{
		"ff 53 65 08 00 04 60 60 90",
		"ff 53 65 09 00 04 61 00 d9 7a",
		"53 65 07 00 00 60 e1",
		"53 00 13 00 0d 03 11 00 76 b0 b1 b2 b3 b4 b5 b6 b7 31 77",
		"53 80 2b 00 0d 03 12 00 76 00068e0000000000 a0a1a2a3a4a5a6a7 fde5d2f428ec16312471ea3c02bd7796 f8 1e",
		"53 00 1b 00 0e 03 13 00 77 26d3356e07762d262801fc8e6665a891 40 b4",
		"53 53 53 ff ff 53 01 ff ff 0c",
		"",
	}
	for _, s := range seeds {
		f.Add(unhex(f, s))
	}
}

// FuzzParse: the streaming parser never panics, and everything it returns
// re-encodes to bytes that decode to the same frame.
func FuzzParse(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		var p Parser
		// Feed in two chunks to exercise partial-frame buffering.
		half := len(in) / 2
		p.Feed(in[:half])
		var frames []Frame
		for fr, ok := p.Next(); ok; fr, ok = p.Next() {
			frames = append(frames, fr)
		}
		p.Feed(in[half:])
		for fr, ok := p.Next(); ok; fr, ok = p.Next() {
			frames = append(frames, fr)
		}
		for _, fr := range frames {
			wire, err := fr.Encode()
			if err != nil {
				t.Fatalf("re-encode: %v", err)
			}
			if !bytes.Equal(wire[btoi(fr.Mark):], fr.raw) {
				t.Fatalf("re-encoding differs:\n% x\n% x", wire, fr.raw)
			}
			back, err := DecodeFrame(wire)
			if err != nil || back.Code != fr.Code || !bytes.Equal(back.Data, fr.Data) {
				t.Fatalf("decode of re-encoding: %v", err)
			}
			// The payload decoders must not panic either.
			if fr.Reply {
				_, _ = DecodeReply(fr.Code, fr.Data)
			} else {
				_, _ = DecodeCommand(fr.Code, fr.Data)
			}
		}
	})
}

// FuzzSecureDecode: arbitrary bytes through the parser and into a live
// session's decoders never panic and never authenticate (the fuzzer cannot
// forge a MAC).
func FuzzSecureDecode(f *testing.F) {
	fuzzSeeds(f)
	// Seeds with real sealed frames so that mutations start from valid MACs.
	cp, pd := newTestPair(f, DefaultKey)
	cmd := Frame{Addr: 3, Seq: 1, CRC: true, Code: CmdLED, Data: make([]byte, 14)}
	wire, _ := cp.SealCommand(&cmd)
	f.Add(wire)
	reply := Frame{Addr: 3, Reply: true, Seq: 1, CRC: true, Code: ReplyAck}
	rw, _ := pd.SealReply(&reply)
	f.Add(rw)
	f.Add(append(append([]byte(nil), wire...), rw...))

	f.Fuzz(func(t *testing.T, in []byte) {
		cps, pds := newTestPair(t, DefaultKey)
		var p Parser
		p.Feed(in)
		for fr, ok := p.Next(); ok; fr, ok = p.Next() {
			var err error
			if fr.Reply {
				err = cps.OpenReply(&fr)
			} else {
				err = pds.OpenCommand(&fr)
			}
			if err == nil {
				t.Fatalf("fuzzed frame authenticated under a fresh session")
			}
		}
	})
}
