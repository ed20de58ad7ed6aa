package osdp

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
)

// Key is a 128-bit AES key (an SCBK or a session key). It redacts itself in
// every fmt verb so that it cannot end up in logs or error strings by
// accident; use RevealHex deliberately when it has to be persisted.
type Key [16]byte

// DefaultKey is SCBK-D, the well-known install-mode key. A session under it
// is only good for delivering the real key with KEYSET.
var DefaultKey = Key{0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F}

// Format redacts the key.
func (Key) Format(f fmt.State, _ rune) { writeRedacted(f, "Key") }

// RevealHex returns the key as hex, for storing it in a secrets store.
func (k Key) RevealHex() string { return hex.EncodeToString(k[:]) }

// ParseKey parses 32 hex digits. The error never echoes the input.
func ParseKey(s string) (Key, error) {
	var k Key
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(k) {
		return k, errors.New("osdp: key must be 32 hex digits")
	}
	copy(k[:], b)
	return k, nil
}

// GenerateKey returns a fresh random SCBK.
func GenerateKey() (Key, error) {
	var k Key
	_, err := rand.Read(k[:])
	return k, err
}

// Secure channel errors.
var (
	ErrMAC           = errors.New("osdp: secure channel MAC mismatch")
	ErrCryptogram    = errors.New("osdp: secure channel cryptogram mismatch")
	ErrPadding       = errors.New("osdp: secure channel padding invalid")
	ErrNotSecure     = errors.New("osdp: plaintext frame while secure channel active")
	ErrUnexpectedSCB = errors.New("osdp: unexpected security block type")
)

// SessionKeys are the per-session keys derived from an SCBK and RND.A.
type SessionKeys struct {
	Enc, MAC1, MAC2 Key
}

// DeriveSessionKeys computes S-ENC, S-MAC1 and S-MAC2. Only the first six
// bytes of RND.A are used, as the standard specifies.
func DeriveSessionKeys(scbk Key, rndA [8]byte) SessionKeys {
	blk := mustAES(scbk)
	derive := func(tag byte) (k Key) {
		var in [16]byte
		in[0], in[1] = 0x01, tag
		copy(in[2:8], rndA[:6])
		blk.Encrypt(k[:], in[:])
		return k
	}
	return SessionKeys{Enc: derive(0x82), MAC1: derive(0x01), MAC2: derive(0x02)}
}

func mustAES(k Key) cipher.Block {
	b, err := aes.NewCipher(k[:])
	if err != nil {
		panic(err) // unreachable: the key is always 16 bytes
	}
	return b
}

func aesBlock(k Key, a, b [8]byte) (out [16]byte) {
	var in [16]byte
	copy(in[:8], a[:])
	copy(in[8:], b[:])
	mustAES(k).Encrypt(out[:], in[:])
	return out
}

// ClientCryptogram is the PD's proof of key possession: E_SENC(RND.A||RND.B).
func ClientCryptogram(sk SessionKeys, rndA, rndB [8]byte) [16]byte {
	return aesBlock(sk.Enc, rndA, rndB)
}

// ServerCryptogram is the CP's proof of key possession: E_SENC(RND.B||RND.A).
func ServerCryptogram(sk SessionKeys, rndA, rndB [8]byte) [16]byte {
	return aesBlock(sk.Enc, rndB, rndA)
}

// InitialRMAC computes R-MAC-I = E_SMAC2(E_SMAC1(server cryptogram)), the
// first link of the MAC chain.
func InitialRMAC(sk SessionKeys, serverCryptogram [16]byte) (out [16]byte) {
	mustAES(sk.MAC1).Encrypt(out[:], serverCryptogram[:])
	mustAES(sk.MAC2).Encrypt(out[:], out[:])
	return out
}

// computeMAC is the OSDP CBC-MAC: all blocks but the last go through
// S-MAC1, the last through S-MAC2. Only a short last block is padded with
// 0x80 00..; an aligned input gets no extra block, an empty one becomes a
// single padding block.
func computeMAC(mac1, mac2 cipher.Block, iv [16]byte, data []byte) [16]byte {
	x := iv
	for len(data) > 16 {
		subtle.XORBytes(x[:], x[:], data[:16])
		mac1.Encrypt(x[:], x[:])
		data = data[16:]
	}
	var last [16]byte
	copy(last[:], data)
	if len(data) < 16 {
		last[len(data)] = 0x80
	}
	subtle.XORBytes(x[:], x[:], last[:])
	mac2.Encrypt(x[:], x[:])
	return x
}

func invert(iv [16]byte) [16]byte {
	for i := range iv {
		iv[i] = ^iv[i]
	}
	return iv
}

// encryptData pads with 0x80 00.. (always, so 16 bytes become 32) and
// encrypts with AES-CBC.
func encryptData(enc cipher.Block, iv [16]byte, data []byte) []byte {
	n := (len(data)/16 + 1) * 16
	out := make([]byte, n)
	copy(out, data)
	out[len(data)] = 0x80
	cipher.NewCBCEncrypter(enc, iv[:]).CryptBlocks(out, out)
	return out
}

// decryptData reverses encryptData. A wrong key or a tampered frame shows
// up as bad padding.
func decryptData(enc cipher.Block, iv [16]byte, data []byte) ([]byte, error) {
	if len(data) == 0 || len(data)%16 != 0 {
		return nil, ErrPadding
	}
	out := make([]byte, len(data))
	cipher.NewCBCDecrypter(enc, iv[:]).CryptBlocks(out, data)
	i := len(out) - 1
	for i >= 0 && out[i] == 0 {
		i--
	}
	if i < 0 || out[i] != 0x80 || len(out)-i > 16 {
		return nil, ErrPadding
	}
	return out[:i], nil
}

func randomBytes8() ([8]byte, error) {
	var b [8]byte
	_, err := rand.Read(b[:])
	return b, err
}
