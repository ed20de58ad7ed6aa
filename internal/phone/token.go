// Package phone is the phone as a credential: the QR door (a display shows a
// code that rotates every 30 s; the member's phone redeems it), the member QR
// pass (a personal rotating code a kiosk scans) and BLE (the phone broadcasts a
// rotating token; a gateway reports it with its RSSI). All three are
// HMAC-SHA256 tokens over (purpose, door or member, time step), keyed per
// organisation from a rotating master key, verified with an injected clock,
// and made single-use by the database. See docs/phone-credentials.md.
package phone

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strconv"
	"time"
)

// Step is the rotation period of every phone token.
const Step = 30 * time.Second

// Token purposes (the second byte of a token; also in the MAC input).
const (
	PurposeDoor byte = 'D' // a QR door code, bound to a zone
	PurposePass byte = 'P' // a member QR pass, bound to a member
)

const (
	tokenVersion = 1
	macLen       = 16
	maxTokenLen  = 64 // characters; a token is ~35
)

// Token is a parsed phone token.
type Token struct {
	Purpose byte
	KeyGen  uint64 // the master key generation that signed it
	Subject uint64 // the zone (door) or member (pass)
	Step    uint64 // Unix time / 30 s when it was issued
	MAC     [macLen]byte
}

// Verification failures. They are safe to show: they never echo the token.
var (
	ErrMalformed = errors.New("not a Gatehouse phone code")
	ErrSignature = errors.New("this code is not valid (signature)")
	ErrPurpose   = errors.New("this code is not meant for this")
	ErrBinding   = errors.New("this code belongs to another door")
	ErrExpired   = errors.New("this code has expired: scan the current code")
	ErrFuture    = errors.New("this code is not valid yet (clock skew)")
	ErrRetired   = errors.New("this code was signed with a retired key: scan the current code")
)

// StepOf is the time step of t.
func StepOf(t time.Time) uint64 { return uint64(t.Unix()) / uint64(Step/time.Second) }

// StepStart is when step s begins.
func StepStart(s uint64) time.Time { return time.Unix(int64(s)*int64(Step/time.Second), 0).UTC() }

// header is the signed part: version, purpose and the three numbers.
func (t *Token) header() []byte {
	b := make([]byte, 0, 2+3*binary.MaxVarintLen64)
	b = append(b, tokenVersion, t.Purpose)
	b = binary.AppendUvarint(b, t.KeyGen)
	b = binary.AppendUvarint(b, t.Subject)
	b = binary.AppendUvarint(b, t.Step)
	return b
}

// mac computes the token's MAC with the organisation key. The domain string
// and the entity id are in the input too, so a key reused elsewhere, or a token
// of another organisation, never verifies.
func mac(orgKey []byte, entityID int64, header []byte) [macLen]byte {
	m := hmac.New(sha256.New, orgKey)
	m.Write([]byte("gatehouse/phone-token/v1\x00"))
	m.Write(strconv.AppendInt(nil, entityID, 10))
	m.Write([]byte{0})
	m.Write(header)
	var out [macLen]byte
	copy(out[:], m.Sum(nil))
	return out
}

// Sign fills t.MAC and returns the token's text: unpadded base64url of
// header‖MAC. The same inputs always give the same text (a token, once
// generated, never changes).
func (t *Token) Sign(orgKey []byte, entityID int64) string {
	h := t.header()
	t.MAC = mac(orgKey, entityID, h)
	return base64.RawURLEncoding.EncodeToString(append(h, t.MAC[:]...))
}

// ParseToken decodes a token's text without verifying it. It never panics and
// accepts only the canonical encoding (so one token has one text, and one hash
// in the replay table).
func ParseToken(s string) (*Token, error) {
	if len(s) < 4 || len(s) > maxTokenLen {
		return nil, ErrMalformed
	}
	// The decoder skips CR and LF: a token with a line break would decode to
	// the same bytes but hash differently (a replay past the use table).
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return nil, ErrMalformed
		}
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(raw) < 2+3+macLen || raw[0] != tokenVersion {
		return nil, ErrMalformed
	}
	t := &Token{Purpose: raw[1]}
	if t.Purpose != PurposeDoor && t.Purpose != PurposePass {
		return nil, ErrMalformed
	}
	rest := raw[2:]
	for _, dst := range []*uint64{&t.KeyGen, &t.Subject, &t.Step} {
		v, n := binary.Uvarint(rest)
		if n <= 0 {
			return nil, ErrMalformed
		}
		*dst, rest = v, rest[n:]
	}
	if len(rest) != macLen {
		return nil, ErrMalformed
	}
	copy(t.MAC[:], rest)
	// Canonical varints only: re-encoding must give the same bytes.
	if string(t.header()) != string(raw[:len(raw)-macLen]) {
		return nil, ErrMalformed
	}
	return t, nil
}

// Keys are an organisation's token keys: the current generation and, during
// the step after a rotation, the previous one.
type Keys struct {
	EntityID int64
	Current  uint64
	Keys     map[uint64][]byte // generation → organisation key
	// RotatedAt is when Current became current; the previous generation is
	// accepted until one step after it.
	RotatedAt time.Time
}

// Verify checks a token: canonical form, a known key, the signature, the
// purpose, the binding (subject; 0 = any, the caller checks it) and the time
// window (the issuing step, tolerating one step either way: clock skew between
// the issuer and the verifier, and a code scanned just before it rotated).
// When the signature is good but a later check fails, the parsed token is
// returned with the error (the caller may name the member in a denial).
func Verify(text string, purpose byte, subject uint64, keys *Keys, now time.Time) (*Token, error) {
	t, err := ParseToken(text)
	if err != nil {
		return nil, err
	}
	key, ok := keys.Keys[t.KeyGen]
	if !ok {
		return nil, ErrSignature
	}
	want := mac(key, keys.EntityID, t.header())
	if !hmac.Equal(want[:], t.MAC[:]) {
		return nil, ErrSignature
	}
	if t.Purpose != purpose {
		return t, ErrPurpose
	}
	if subject != 0 && t.Subject != subject {
		return t, ErrBinding
	}
	if t.KeyGen != keys.Current {
		// Only the previous generation, and only for one step after rotation.
		if t.KeyGen+1 != keys.Current || !now.Before(keys.RotatedAt.Add(Step)) {
			return t, ErrRetired
		}
	}
	ns := StepOf(now)
	switch {
	case t.Step+1 < ns:
		return t, ErrExpired
	case t.Step > ns+1:
		return t, ErrFuture
	}
	return t, nil
}

// Expiry is when a token of step s stops being accepted: the end of the next
// step.
func Expiry(s uint64) time.Time { return StepStart(s + 2) }

// hashToken is the token's SHA-256 (hex): what the replay tables store.
func hashToken(text string) string {
	h := sha256.Sum256([]byte(text))
	return hex.EncodeToString(h[:])
}
