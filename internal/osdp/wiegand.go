package osdp

import (
	"errors"
	"fmt"
	"math/bits"
	"strconv"
)

// Wiegand format names.
const (
	FormatH10301      = "H10301"   // 26-bit, 8-bit facility, 16-bit number
	FormatCorporate1K = "C1000-35" // HID Corporate 1000, 12-bit company, 20-bit number
	FormatH10304      = "H10304"   // 37-bit, 16-bit facility, 19-bit number
	formatRaw         = "raw"
)

// Wiegand decoding errors.
var (
	ErrWiegandParity = errors.New("osdp: wiegand parity check failed")
	ErrWiegandFormat = errors.New("osdp: unsupported wiegand bit length")
	ErrWiegandRange  = errors.New("osdp: wiegand field out of range")
	ErrWiegandData   = errors.New("osdp: wiegand data shorter than bit count")
)

// WiegandCard is a decoded credential.
type WiegandCard struct {
	Layout   string
	Facility uint32
	Number   uint64
}

// ID returns the identifier the access-control database matches on, e.g.
// "H10301:12:3456".
func (c WiegandCard) ID() string {
	return c.Layout + ":" + strconv.FormatUint(uint64(c.Facility), 10) + ":" + strconv.FormatUint(c.Number, 10)
}

// Format redacts the card number in logs.
func (c WiegandCard) Format(f fmt.State, _ rune) { writeRedacted(f, "WiegandCard("+c.Layout+")") }

// wiegandLayout describes one fixed format; positions count from the first
// bit sent (0) as in the HID format sheets (which count from 1).
type wiegandLayout struct {
	name             string
	length           int
	facStart, facLen int
	numStart, numLen int
	parity           func(v uint64) uint64 // returns v with parity bits set
}

// bitMask returns a mask of the bits at positions [start, start+n) of an
// l-bit value.
func bitMask(l, start, n int) uint64 {
	return (uint64(1)<<n - 1) << (l - start - n)
}

func ones(v uint64) int { return bits.OnesCount64(v) }

// setParity sets the bit at pos so that the bits in mask (which include pos)
// have even (odd=false) or odd parity.
func setParity(v uint64, l, pos int, mask uint64, odd bool) uint64 {
	bit := uint64(1) << (l - 1 - pos)
	v &^= bit
	count := ones(v & mask)
	if (count%2 == 1) != odd {
		v |= bit
	}
	return v
}

var wiegandLayouts = []wiegandLayout{
	{name: FormatH10301, length: 26, facStart: 1, facLen: 8, numStart: 9, numLen: 16,
		parity: func(v uint64) uint64 {
			v = setParity(v, 26, 0, bitMask(26, 0, 13), false)
			return setParity(v, 26, 25, bitMask(26, 13, 13), true)
		}},
	{name: FormatCorporate1K, length: 35, facStart: 2, facLen: 12, numStart: 14, numLen: 20,
		parity: func(v uint64) uint64 {
			// Bit 2 (1-based): even over bits 3..34 whose position mod 3 != 2.
			// Bit 35: odd over bits 2..33 whose position mod 3 != 1.
			// Bit 1: odd over all 35 bits.
			var even2, odd35 uint64
			for n := 1; n <= 35; n++ {
				b := uint64(1) << (35 - n)
				if n == 2 || (n >= 3 && n <= 34 && n%3 != 2) {
					even2 |= b
				}
				if n == 35 || (n >= 2 && n <= 33 && n%3 != 1) {
					odd35 |= b
				}
			}
			v = setParity(v, 35, 1, even2, false)
			v = setParity(v, 35, 34, odd35, true)
			return setParity(v, 35, 0, bitMask(35, 0, 35), true)
		}},
	{name: FormatH10304, length: 37, facStart: 1, facLen: 16, numStart: 17, numLen: 19,
		parity: func(v uint64) uint64 {
			v = setParity(v, 37, 0, bitMask(37, 0, 19), false)
			return setParity(v, 37, 36, bitMask(37, 18, 19), true)
		}},
}

func layoutFor(n int) (wiegandLayout, bool) {
	for _, l := range wiegandLayouts {
		if l.length == n {
			return l, true
		}
	}
	return wiegandLayout{}, false
}

func layoutNamed(name string) (wiegandLayout, bool) {
	for _, l := range wiegandLayouts {
		if l.name == name {
			return l, true
		}
	}
	return wiegandLayout{}, false
}

// DecodeWiegand decodes card bits (most significant bit of data[0] first)
// by bit length: 26 = H10301, 35 = Corporate 1000, 37 = H10304. Parity is
// verified; a parity error means a misread and must not grant access.
func DecodeWiegand(nbits int, data []byte) (WiegandCard, error) {
	l, ok := layoutFor(nbits)
	if !ok {
		return WiegandCard{}, ErrWiegandFormat
	}
	if len(data)*8 < nbits {
		return WiegandCard{}, ErrWiegandData
	}
	var v uint64
	for i := range nbits {
		v = v<<1 | uint64(data[i/8]>>(7-i%8)&1)
	}
	if l.parity(v) != v {
		return WiegandCard{}, ErrWiegandParity
	}
	field := func(start, n int) uint64 { return (v & bitMask(l.length, start, n)) >> (l.length - start - n) }
	return WiegandCard{Layout: l.name, Facility: uint32(field(l.facStart, l.facLen)), Number: field(l.numStart, l.numLen)}, nil
}

// EncodeWiegand builds the bit string for a card, with parity. The
// simulator uses it to present realistic credentials.
func EncodeWiegand(format string, facility uint32, number uint64) (nbits int, data []byte, err error) {
	l, ok := layoutNamed(format)
	if !ok {
		return 0, nil, ErrWiegandFormat
	}
	if uint64(facility) >= 1<<l.facLen || number >= 1<<l.numLen {
		return 0, nil, ErrWiegandRange
	}
	v := uint64(facility)<<(l.length-l.facStart-l.facLen) | number<<(l.length-l.numStart-l.numLen)
	v = l.parity(v)
	data = make([]byte, (l.length+7)/8)
	for i := range l.length {
		if v>>(l.length-1-i)&1 != 0 {
			data[i/8] |= 0x80 >> (i % 8)
		}
	}
	return l.length, data, nil
}

// CardIdentifier turns RAW card data into the identifier string the
// application stores: the decoded Wiegand ID when the format is known and
// parity holds, otherwise "raw:<bits>:<hex>".
func CardIdentifier(r RawCard) string {
	if c, err := DecodeWiegand(int(r.Bits), r.Data); err == nil {
		return c.ID()
	}
	return formatRaw + ":" + strconv.Itoa(int(r.Bits)) + ":" + fmt.Sprintf("%x", []byte(r.Data))
}
