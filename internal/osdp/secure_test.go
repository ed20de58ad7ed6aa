package osdp

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// Annex E inputs: SCBK-D, RND.A = B0..B7, RND.B = A0..A7.
var (
	annexRndA = [8]byte{0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7}
	annexRndB = [8]byte{0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7}
	annexCUID = [8]byte{0x00, 0x06, 0x8e}
)

func TestSessionKeysAnnexE(t *testing.T) {
	sk := DeriveSessionKeys(DefaultKey, annexRndA)
	check := func(name string, got Key, want string) {
		t.Helper()
		if got != Key(unhex16(t, want)) {
			t.Errorf("%s mismatch", name) // never print keys
		}
	}
	check("S-ENC", sk.Enc, "bf8dc2a8329acb8c67c6d0cd9a451682")
	check("S-MAC1", sk.MAC1, "5e86c676603bdee2d8beafe178637332")
	check("S-MAC2", sk.MAC2, "6fda86e857777e81132035758239172e")
}

func TestCryptogramsAndRMACIAnnexE(t *testing.T) {
	sk := DeriveSessionKeys(DefaultKey, annexRndA)
	server := ServerCryptogram(sk, annexRndA, annexRndB)
	if server != unhex16(t, "26d3356e07762d262801fc8e6665a891") {
		t.Errorf("server cryptogram = %x", server)
	}
	if got := ClientCryptogram(sk, annexRndA, annexRndB); got != unhex16(t, "fde5d2f428ec16312471ea3c02bd7796") {
		t.Errorf("client cryptogram = %x", got)
	}
	if got := InitialRMAC(sk, server); got != unhex16(t, "b2a30057eb98ba2229ec1f875662b524") {
		t.Errorf("R-MAC-I = %x", got)
	}
}

// The handshake frames from Annex E, byte for byte, built through the same
// encoder the bus uses.
func TestHandshakeFramesAnnexE(t *testing.T) {
	sk := DeriveSessionKeys(DefaultKey, annexRndA)
	frames := []struct {
		name string
		f    Frame
		want string
	}{
		{"CHLNG", Frame{Addr: 0, Seq: 1, CRC: true, SCB: []byte{scsChlng, KeyIndexDefault}, Code: CmdChlng, Data: annexRndA[:]},
			"53 00 13 00 0d 03 11 00 76 b0 b1 b2 b3 b4 b5 b6 b7 31 77"},
		{"CCRYPT", Frame{Addr: 0, Reply: true, Seq: 1, CRC: true, SCB: []byte{scsCCrypt, KeyIndexDefault}, Code: ReplyCCrypt,
			Data: mustMarshal(t, CCrypt{CUID: annexCUID, RndB: annexRndB, Cryptogram: ClientCryptogram(sk, annexRndA, annexRndB)})},
			"53 80 2b 00 0d 03 12 00 76 00068e0000000000 a0a1a2a3a4a5a6a7 fde5d2f428ec16312471ea3c02bd7796 f8 1e"},
		{"SCRYPT", Frame{Addr: 0, Seq: 2, CRC: true, SCB: []byte{scsSCrypt, KeyIndexDefault}, Code: CmdSCrypt,
			Data: mustMarshal(t, SCrypt{Cryptogram: ServerCryptogram(sk, annexRndA, annexRndB)})},
			"53 00 1b 00 0e 03 13 00 77 26d3356e07762d262801fc8e6665a891 40 b4"},
	}
	for _, fr := range frames {
		got, err := fr.f.Encode()
		if err != nil {
			t.Fatalf("%s: %v", fr.name, err)
		}
		if want := unhex(t, fr.want); !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %x\nwant %x", fr.name, got, want)
		}
		back, err := DecodeFrame(got)
		if err != nil {
			t.Fatalf("%s decode: %v", fr.name, err)
		}
		if back.Code != fr.f.Code || !bytes.Equal(back.Data, fr.f.Data) || !bytes.Equal(back.SCB, fr.f.SCB) {
			t.Errorf("%s: decode mismatch", fr.name)
		}
	}
}

func mustMarshal(t *testing.T, m interface{ MarshalData() ([]byte, error) }) []byte {
	t.Helper()
	b, err := m.MarshalData()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// NIST SP 800-38A CBC vectors, reused by libosdp's test-sc.c for the MAC and
// data encryption, with S-MAC1 = S-MAC2 = S-ENC = the NIST key.
func TestMACAndEncryptionKnownAnswers(t *testing.T) {
	nistKey := Key(unhex16(t, "2b7e151628aed2a6abf7158809cf4f3c"))
	iv := unhex16(t, "000102030405060708090a0b0c0d0e0f")
	pt := unhex(t, "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51"+
		"30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710")
	blk := mustAES(nistKey)

	if got := computeMAC(blk, blk, iv, pt[:16]); got != unhex16(t, "7649abac8119b246cee98e9b12e9197d") {
		t.Errorf("MAC 1 block = %x", got)
	}
	if got := computeMAC(blk, blk, iv, pt); got != unhex16(t, "3ff1caa1681fac09120eca307586e1a7") {
		t.Errorf("MAC 4 blocks = %x", got)
	}
	fifteen := unhex(t, "000102030405060708090a0b0c0d0e")
	if got := encryptData(blk, iv, fifteen); !bytes.Equal(got, unhex(t, "c5311f3d23d086ea86f5ee7f85247b40")) {
		t.Errorf("encrypt 15 bytes = %x", got)
	}
	if got := encryptData(blk, iv, nil); !bytes.Equal(got, unhex(t, "4c08220c79d9191022dc6674874ceaf8")) {
		t.Errorf("encrypt 0 bytes = %x", got)
	}
	plain, err := decryptData(blk, iv, unhex(t, "c5311f3d23d086ea86f5ee7f85247b40"))
	if err != nil || !bytes.Equal(plain, fifteen) {
		t.Errorf("decrypt = %x, %v", plain, err)
	}
	// 16 bytes of data always gain a full padding block.
	if got := encryptData(blk, iv, pt[:16]); len(got) != 32 {
		t.Errorf("16 bytes encrypted to %d", len(got))
	}
}

func TestMACPaddingOnlyWhenShort(t *testing.T) {
	k := mustAES(DefaultKey)
	var iv [16]byte
	// An empty input is one padding block: equal to MAC of the explicit 80 00.. block.
	pad := make([]byte, 16)
	pad[0] = 0x80
	if computeMAC(k, k, iv, nil) != computeMAC(k, k, iv, pad) {
		t.Error("empty input must MAC as a single 0x80 padding block")
	}
	// 17 bytes: second block padded.
	in := bytes.Repeat([]byte{0xAA}, 17)
	padded := append(append([]byte{}, in...), 0x80)
	padded = append(padded, make([]byte, 14)...)
	if computeMAC(k, k, iv, in) != computeMAC(k, k, iv, padded) {
		t.Error("short last block must be padded with 0x80 00..")
	}
}

func TestDecryptRejectsBadPadding(t *testing.T) {
	k := mustAES(DefaultKey)
	var iv [16]byte
	for _, in := range [][]byte{nil, make([]byte, 15), make([]byte, 16)} {
		if _, err := decryptData(k, iv, in); !errors.Is(err, ErrPadding) {
			t.Errorf("decrypt %d zero bytes: err = %v", len(in), err)
		}
	}
}

// newTestPair runs the handshake between the CP and PD halves and returns
// both sessions.
func newTestPair(t testing.TB, scbk Key) (cp, pd *Session) {
	t.Helper()
	h, err := newCPHandshake(scbk, KeyIndexSCBK)
	if err != nil {
		t.Fatal(err)
	}
	ch, _ := h.challenge()
	pdh, cc, err := AnswerChallenge(scbk, ch, annexCUID)
	if err != nil {
		t.Fatal(err)
	}
	scrypt, _, err := h.verifyCCrypt(cc)
	if err != nil {
		t.Fatal(err)
	}
	pd, rmacI, err := pdh.VerifySCrypt(scrypt)
	if err != nil {
		t.Fatal(err)
	}
	cp, err = h.verifyRMACI(rmacI)
	if err != nil {
		t.Fatal(err)
	}
	return cp, pd
}

func TestHandshakeWrongKeyFails(t *testing.T) {
	h, _ := newCPHandshake(DefaultKey, KeyIndexDefault)
	ch, _ := h.challenge()
	_, cc, _ := AnswerChallenge(Key{1}, ch, annexCUID)
	if _, _, err := h.verifyCCrypt(cc); !errors.Is(err, ErrCryptogram) {
		t.Fatalf("err = %v, want ErrCryptogram", err)
	}
}

func TestSessionRoundTripAndChaining(t *testing.T) {
	cp, pd := newTestPair(t, Key{9, 8, 7})
	for i, data := range [][]byte{nil, {1}, bytes.Repeat([]byte{2}, 15), bytes.Repeat([]byte{3}, 16), bytes.Repeat([]byte{4}, 40)} {
		cmd := Frame{Addr: 5, Seq: byte(i%3 + 1), CRC: i%2 == 0, Code: CmdMfg, Data: data}
		wire, err := cp.SealCommand(&cmd)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeFrame(wire)
		if err != nil {
			t.Fatal(err)
		}
		wantType := byte(scsCmdEnc)
		if len(data) == 0 {
			wantType = scsCmdMAC
		}
		if got.SCBType() != wantType {
			t.Errorf("SCB type %#x, want %#x", got.SCBType(), wantType)
		}
		if len(data) > 0 && bytes.Contains(wire, data) && len(data) > 4 {
			t.Error("plaintext visible on the wire")
		}
		if err := pd.OpenCommand(&got); err != nil {
			t.Fatalf("open command %d: %v", i, err)
		}
		if !bytes.Equal(got.Data, data) {
			t.Fatalf("command data mismatch")
		}
		reply := Frame{Addr: 5, Reply: true, Seq: cmd.Seq, CRC: true, Code: ReplyMfgRep, Data: data}
		rw, err := pd.SealReply(&reply)
		if err != nil {
			t.Fatal(err)
		}
		rg, _ := DecodeFrame(rw)
		if err := cp.OpenReply(&rg); err != nil {
			t.Fatalf("open reply %d: %v", i, err)
		}
		if !bytes.Equal(rg.Data, data) {
			t.Fatalf("reply data mismatch")
		}
	}
}

func TestSessionRejectsTamperingAndReplay(t *testing.T) {
	cp, pd := newTestPair(t, Key{1, 2, 3})
	cmd := Frame{Addr: 1, Seq: 1, CRC: true, Code: CmdLED, Data: make([]byte, 14)}
	wire, _ := cp.SealCommand(&cmd)

	// Flip a ciphertext bit and fix the CRC so only the MAC can catch it.
	bad := append([]byte(nil), wire...)
	bad[9] ^= 1
	bad = appendTrailer(bad[:len(bad)-2], 0, true)
	f, err := DecodeFrame(bad)
	if err != nil {
		t.Fatal(err)
	}
	if err := pd.OpenCommand(&f); !errors.Is(err, ErrMAC) {
		t.Fatalf("tampered: err = %v, want ErrMAC", err)
	}
	good, _ := DecodeFrame(wire)
	if err := pd.OpenCommand(&good); err != nil {
		t.Fatalf("genuine frame after tampered one: %v", err)
	}
	// Replaying the same command after the chain advanced must fail.
	reply := Frame{Addr: 1, Reply: true, Seq: 1, CRC: true, Code: ReplyAck}
	rw, _ := pd.SealReply(&reply)
	rf, _ := DecodeFrame(rw)
	if err := cp.OpenReply(&rf); err != nil {
		t.Fatal(err)
	}
	again, _ := DecodeFrame(wire)
	if err := pd.OpenCommand(&again); !errors.Is(err, ErrMAC) {
		t.Fatalf("replay: err = %v, want ErrMAC", err)
	}
	plain, _ := DecodeFrame(mustEncode(t, Frame{Addr: 1, Reply: true, CRC: true, Code: ReplyAck}))
	if err := cp.OpenReply(&plain); !errors.Is(err, ErrNotSecure) {
		t.Fatalf("plaintext reply: err = %v", err)
	}
}

func mustEncode(t testing.TB, f Frame) []byte {
	t.Helper()
	b, err := f.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Keys, sessions and card data must never show up in formatted output.
func TestSecretsAreRedacted(t *testing.T) {
	k := Key{0xDE, 0xAD, 0xBE, 0xEF, 0xDE, 0xAD, 0xBE, 0xEF}
	cp, _ := newTestPair(t, k)
	values := []any{k, &k, KeySet{Key: k}, SessionKeys{Enc: k, MAC1: k, MAC2: k}, cp,
		RawCard{Bits: 32, Data: []byte{0xDE, 0xAD, 0xBE, 0xEF}}, Keypad{Keys: []byte("9876")},
		struct{ K Key }{k}}
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%x", "%X", "%s", "%d", "%q"} {
			s := fmt.Sprintf(verb, v)
			low := strings.ToLower(s)
			if strings.Contains(low, "dead") || strings.Contains(low, "beef") || strings.Contains(s, "9876") ||
				strings.Contains(s, "222 173") || strings.Contains(s, "0xde") {
				t.Errorf("%s of %T leaks secret: %s", verb, v, s)
			}
		}
	}
	if _, err := ParseKey("deadbeefzz"); err == nil || strings.Contains(err.Error(), "dead") {
		t.Errorf("ParseKey error leaks input: %v", err)
	}
	if got, err := ParseKey(k.RevealHex()); err != nil || got != k {
		t.Error("ParseKey(RevealHex) round trip failed")
	}
}
