package phone

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
)

// BLE advertisement v2 (docs/phone-credentials.md, "BLE broadcast
// protocol"): the static handle of v1 is replaced by an ephemeral id that changes
// every step, so that a scanner cannot follow a phone from one step to the
// next. Service Data for BLEServiceUUID, 20 bytes:
//
//	0      version (0x02)
//	1..8   eid = HMAC-SHA256(member key, "GHBLE2/eid" ‖ step)[0:8]
//	9..12  time step, uint32 big-endian (Unix seconds / 30)
//	13..19 MAC = HMAC-SHA256(member key, "GHBLE2/mac" ‖ bytes 0..12)[0:7]
//
// 20 bytes, not v1's 21: a legacy advertisement carries 31 bytes, and Flags
// (3), the 16-bit UUID list (4) and the Service Data header (length, type,
// UUID: 4) leave 20 (v1 overflows by one byte).
//
// 8 bytes of eid rather than 4: the server finds the member by eid in an
// index of 3 steps × N keys. With 64 bits two of them share an eid with
// probability ~(3N)²/2⁶⁵ (2·10⁻¹¹ for 10,000 members); with 32 bits about
// one index build in ten would hold a collision at that size, and lookups
// would need to try several MACs routinely. The price is a 56-bit MAC, which
// is enough because the eid is itself a keyed function of the step: a
// forger must guess eid and MAC together (120 bits), verification is online
// only (an authenticated gateway, a 90 s window), and a sniffed payload has
// no field left to alter.
const (
	BLEVersion2     = 0x02
	BLEPayloadLenV2 = 20
	BLEEIDLen       = 8
	bleMAC2Len      = 7
	bleSigned2Len   = BLEPayloadLenV2 - bleMAC2Len
)

// Domain-separation labels: the eid and the MAC are two different functions
// of the same member key (and neither is a v1 MAC, whose label is "GHBLE1").
var (
	bleEIDLabel  = []byte("GHBLE2/eid")
	bleMAC2Label = []byte("GHBLE2/mac")
)

// EID is a v2 ephemeral id.
type EID [BLEEIDLen]byte

// AdvertV2 is a parsed v2 service-data payload.
type AdvertV2 struct {
	EID  EID
	Step uint32
	MAC  [bleMAC2Len]byte
}

// ParseAdvertV2 decodes the 20-byte v2 service data. It never panics.
func ParseAdvertV2(b []byte) (*AdvertV2, error) {
	if len(b) != BLEPayloadLenV2 || b[0] != BLEVersion2 {
		return nil, ErrAdvert
	}
	a := &AdvertV2{Step: binary.BigEndian.Uint32(b[1+BLEEIDLen:])}
	copy(a.EID[:], b[1:1+BLEEIDLen])
	copy(a.MAC[:], b[1+BLEEIDLen+4:])
	return a, nil
}

// bytes is the payload again (the de-duplication key).
func (a *AdvertV2) bytes() []byte {
	b := a.signed()
	return append(b, a.MAC[:]...)
}

func (a *AdvertV2) signed() []byte {
	b := make([]byte, 0, BLEPayloadLenV2)
	b = append(b, BLEVersion2)
	b = append(b, a.EID[:]...)
	return binary.BigEndian.AppendUint32(b, a.Step)
}

// BLEEphemeralID is the v2 eid of a member key at step.
func BLEEphemeralID(memberKey []byte, step uint32) EID {
	m := hmac.New(sha256.New, memberKey)
	m.Write(bleEIDLabel)
	m.Write(binary.BigEndian.AppendUint32(nil, step))
	var e EID
	copy(e[:], m.Sum(nil))
	return e
}

func bleMAC2(memberKey, signed []byte) []byte {
	m := hmac.New(sha256.New, memberKey)
	m.Write(bleMAC2Label)
	m.Write(signed)
	return m.Sum(nil)[:bleMAC2Len]
}

// BuildAdvertV2 is what the phone broadcasts at step (the reference
// broadcaster). It needs no handle: the key alone names the member.
func BuildAdvertV2(memberKey []byte, step uint32) []byte {
	a := AdvertV2{EID: BLEEphemeralID(memberKey, step), Step: step}
	return append(a.signed(), bleMAC2(memberKey, a.signed())...)
}

// PeekAdvert reports the version and step of a payload of a known version
// (1 or 2) without a key: what a gateway needs to filter and to know how long
// a payload is worth reporting.
func PeekAdvert(b []byte) (version byte, step uint32, err error) {
	if a, err := ParseAdvertV2(b); err == nil {
		return BLEVersion2, a.Step, nil
	}
	if a, err := ParseAdvert(b); err == nil {
		return BLEVersion, a.Step, nil
	}
	return 0, 0, ErrAdvert
}

// decodeAdvertHex decodes a reported token of either version (v1: 42 hex
// digits, v2: 40); the version byte is checked by the caller.
func decodeAdvertHex(s string) ([]byte, error) {
	if len(s) != 2*BLEPayloadLen && len(s) != 2*BLEPayloadLenV2 {
		return nil, ErrAdvert
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, ErrAdvert
	}
	return b, nil
}
