package osdp

import (
	"crypto/cipher"
	"crypto/subtle"
	"fmt"
)

// Session is an established secure channel: the session keys plus the MAC
// chain. The CP uses SealCommand/OpenReply, a PD OpenCommand/SealReply.
//
// The chain only advances on a frame that was sealed or verified, so a CP
// that retransmits the bytes of an unanswered command stays in step with
// the PD, which replays its cached reply.
type Session struct {
	enc, mac1, mac2 cipher.Block
	// cmac is the full MAC of the last command, rmac of the last reply
	// (R-MAC-I right after the handshake).
	cmac, rmac [16]byte
}

// NewSession starts a channel from derived keys and R-MAC-I.
func NewSession(sk SessionKeys, rmacI [16]byte) *Session {
	return &Session{enc: mustAES(sk.Enc), mac1: mustAES(sk.MAC1), mac2: mustAES(sk.MAC2), rmac: rmacI}
}

// Format redacts the session state.
func (*Session) Format(f fmt.State, _ rune) { writeRedacted(f, "Session") }

// SealCommand encodes f as a secure command: SCB 0x17 with encrypted data,
// or 0x15 when there is no data. f.Data is the plaintext; f is not modified.
func (s *Session) SealCommand(f *Frame) ([]byte, error) {
	return s.seal(f, scsCmdMAC, scsCmdEnc, s.rmac, &s.cmac)
}

// SealReply encodes f as a secure reply (SCB 0x18 or 0x16).
func (s *Session) SealReply(f *Frame) ([]byte, error) {
	return s.seal(f, scsReplyMAC, scsReplyEnc, s.cmac, &s.rmac)
}

func (s *Session) seal(f *Frame, macType, encType byte, iv [16]byte, chain *[16]byte) ([]byte, error) {
	g := *f
	g.SCB = []byte{macType}
	if len(f.Data) > 0 {
		g.SCB[0] = encType
		g.Data = encryptData(s.enc, invert(iv), f.Data)
	}
	b, start, err := g.appendBody(make([]byte, 0, g.Len()+1))
	if err != nil {
		return nil, err
	}
	mac := computeMAC(s.mac1, s.mac2, iv, b[start:])
	*chain = mac
	b = append(b, mac[:macLen]...)
	return appendTrailer(b, start, g.CRC), nil
}

// OpenReply verifies and decrypts a reply in place (f.Data becomes the
// plaintext). It accepts SCB 0x16 with clear data as well as 0x18.
func (s *Session) OpenReply(f *Frame) error {
	return s.open(f, scsReplyMAC, scsReplyEnc, s.cmac, &s.rmac)
}

// OpenCommand verifies and decrypts a command in place.
func (s *Session) OpenCommand(f *Frame) error {
	return s.open(f, scsCmdMAC, scsCmdEnc, s.rmac, &s.cmac)
}

func (s *Session) open(f *Frame, macType, encType byte, iv [16]byte, chain *[16]byte) error {
	t := f.SCBType()
	if t == 0 {
		return ErrNotSecure
	}
	if t != macType && t != encType {
		return ErrUnexpectedSCB
	}
	in := f.macInput()
	if in == nil {
		return ErrMAC // not a decoded frame
	}
	mac := computeMAC(s.mac1, s.mac2, iv, in)
	if subtle.ConstantTimeCompare(mac[:macLen], f.MAC[:]) != 1 {
		return ErrMAC
	}
	if t == encType {
		if len(f.Data) == 0 {
			return ErrPadding
		}
		plain, err := decryptData(s.enc, invert(iv), f.Data)
		if err != nil {
			return err
		}
		f.Data = plain
	}
	*chain = mac
	return nil
}

// cpHandshake is the CP's half of CHLNG/CCRYPT/SCRYPT/RMAC_I.
type cpHandshake struct {
	keyIndex byte
	rndA     [8]byte
	keys     SessionKeys
	server   [16]byte
}

func newCPHandshake(scbk Key, keyIndex byte) (*cpHandshake, error) {
	rndA, err := randomBytes8()
	if err != nil {
		return nil, err
	}
	return &cpHandshake{keyIndex: keyIndex, rndA: rndA, keys: DeriveSessionKeys(scbk, rndA)}, nil
}

// challengeFrame builds CHLNG with SCB 03 11 KI.
func (h *cpHandshake) challenge() (Challenge, []byte) {
	return Challenge{RndA: h.rndA}, []byte{scsChlng, h.keyIndex}
}

// verifyCCrypt checks the PD's cryptogram and returns SCRYPT and its SCB.
func (h *cpHandshake) verifyCCrypt(r CCrypt) (SCrypt, []byte, error) {
	want := ClientCryptogram(h.keys, h.rndA, r.RndB)
	if subtle.ConstantTimeCompare(want[:], r.Cryptogram[:]) != 1 {
		return SCrypt{}, nil, ErrCryptogram
	}
	h.server = ServerCryptogram(h.keys, h.rndA, r.RndB)
	return SCrypt{Cryptogram: h.server}, []byte{scsSCrypt, h.keyIndex}, nil
}

// verifyRMACI checks R-MAC-I and opens the session.
func (h *cpHandshake) verifyRMACI(r RMACI) (*Session, error) {
	want := InitialRMAC(h.keys, h.server)
	if subtle.ConstantTimeCompare(want[:], r.MAC[:]) != 1 {
		return nil, ErrCryptogram
	}
	return NewSession(h.keys, want), nil
}

// PDHandshake is the peripheral's half of the handshake, used by the
// simulator.
type PDHandshake struct {
	keys       SessionKeys
	rndA, rndB [8]byte
}

// AnswerChallenge derives the session keys from scbk and the CP's RND.A and
// returns the CCRYPT reply.
func AnswerChallenge(scbk Key, c Challenge, cUID [8]byte) (*PDHandshake, CCrypt, error) {
	rndB, err := randomBytes8()
	if err != nil {
		return nil, CCrypt{}, err
	}
	h := &PDHandshake{keys: DeriveSessionKeys(scbk, c.RndA), rndA: c.RndA, rndB: rndB}
	return h, CCrypt{CUID: cUID, RndB: rndB, Cryptogram: ClientCryptogram(h.keys, h.rndA, rndB)}, nil
}

// VerifySCrypt checks the CP cryptogram and returns the new session and the
// RMAC_I reply.
func (h *PDHandshake) VerifySCrypt(c SCrypt) (*Session, RMACI, error) {
	want := ServerCryptogram(h.keys, h.rndA, h.rndB)
	if subtle.ConstantTimeCompare(want[:], c.Cryptogram[:]) != 1 {
		return nil, RMACI{}, ErrCryptogram
	}
	rmacI := InitialRMAC(h.keys, want)
	return NewSession(h.keys, rmacI), RMACI{MAC: rmacI}, nil
}
