package osdp

import "testing"

func BenchmarkFrameEncode(b *testing.B) {
	f := Frame{Mark: true, Addr: 1, Seq: 1, CRC: true, Code: CmdLED, Data: make([]byte, 14)}
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = f.AppendEncode(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFrameParse(b *testing.B) {
	f := Frame{Mark: true, Addr: 1, Seq: 1, CRC: true, Code: CmdLED, Data: make([]byte, 14)}
	wire, _ := f.Encode()
	var p Parser
	b.ReportAllocs()
	b.SetBytes(int64(len(wire)))
	for b.Loop() {
		p.Feed(wire)
		if _, ok := p.Next(); !ok {
			b.Fatal("no frame")
		}
	}
}

// BenchmarkSecureRoundTrip is the per-frame cost of the secure channel:
// the CP seals (encrypt + MAC) a 14-byte LED command, the PD opens it
// (MAC check + decrypt), seals an ACK, and the CP opens that.
func BenchmarkSecureRoundTrip(b *testing.B) {
	cp, pd := newTestPair(b, DefaultKey)
	cmd := Frame{Mark: true, Addr: 1, Seq: 1, CRC: true, Code: CmdLED, Data: make([]byte, 14)}
	ack := Frame{Addr: 1, Reply: true, Seq: 1, CRC: true, Code: ReplyAck}
	b.ReportAllocs()
	for b.Loop() {
		wire, err := cp.SealCommand(&cmd)
		if err != nil {
			b.Fatal(err)
		}
		f, err := DecodeFrame(wire)
		if err != nil {
			b.Fatal(err)
		}
		if err := pd.OpenCommand(&f); err != nil {
			b.Fatal(err)
		}
		rw, _ := pd.SealReply(&ack)
		rf, _ := DecodeFrame(rw)
		if err := cp.OpenReply(&rf); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSealCommand(b *testing.B) {
	cp, _ := newTestPair(b, DefaultKey)
	cmd := Frame{Mark: true, Addr: 1, Seq: 1, CRC: true, Code: CmdLED, Data: make([]byte, 14)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cp.SealCommand(&cmd); err != nil {
			b.Fatal(err)
		}
	}
}
