package access

import (
	"encoding/hex"
	"fmt"
	"math/bits"
	"regexp"
	"slices"
	"strconv"
)

var (
	hexUID = regexp.MustCompile(`^(?:[0-9A-F]{2}){4,8}$`) // a 4–8 byte UID as hex
	decUID = regexp.MustCompile(`^[0-9]{1,20}$`)
)

// cardForms lists the forms a presented card number may have been stored in,
// first cardForm (no separators, upper case: what an admin's entry is stored
// as). Readers also disagree on notation: many print a UID as a decimal
// number, and whether the UID's first byte is the most or the least
// significant differs between readers, while Gen7 terminals and most APIs
// send hex. So a 4–8 byte hex UID also yields its decimal in both byte orders,
// and a decimal yields the hex UID in both byte orders; 4-byte values also in
// the 10-digit zero-padded form printed on many cards. Stored identifiers are
// never rewritten: matching tries these forms instead, so no existing
// credential changes meaning. A string of digits is both hex and decimal:
// both readings are tried (an exact match still ranks first).
func cardForms(raw string) []string {
	c := cardForm(raw)
	out := []string{c}
	add := func(s string) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	// add10 adds the decimal of v, and its zero-padded 10-digit form when v
	// fits 4 bytes (the usual print of a 4-byte UID).
	add10 := func(v uint64) {
		add(strconv.FormatUint(v, 10))
		if v <= 0xFFFFFFFF {
			add(fmt.Sprintf("%010d", v))
		}
	}
	if hexUID.MatchString(c) {
		b, _ := hex.DecodeString(c)
		add10(beUint(b))
		add10(beUint(reversed(b)))
	}
	if decUID.MatchString(c) {
		if v, err := strconv.ParseUint(c, 10, 64); err == nil && v > 0 {
			add10(v)
			// The number does not carry the UID's width (leading zero
			// bytes): use its minimal width, raised to the usual UID sizes —
			// 4 bytes (single size), and 7 (double size) for 5–6 bytes.
			n := (bits.Len64(v) + 7) / 8
			widths := []int{max(n, 4)}
			if n == 5 || n == 6 {
				widths = append(widths, 7)
			}
			var be [8]byte
			for i := range be {
				be[7-i] = byte(v >> (8 * i))
			}
			for _, w := range widths {
				b := be[8-w:]
				add(fmt.Sprintf("%X", b))
				add(fmt.Sprintf("%X", reversed(b)))
			}
		}
	}
	return out
}

func beUint(b []byte) uint64 {
	var v uint64
	for _, x := range b {
		v = v<<8 | uint64(x)
	}
	return v
}

func reversed(b []byte) []byte {
	r := slices.Clone(b)
	slices.Reverse(r)
	return r
}
