package osdp

import (
	"errors"
	"strings"
	"testing"
)

// bitsFromString packs a '0'/'1' string (spaces ignored), first bit in the
// MSB of the first byte.
func bitsFromString(s string) (int, []byte) {
	s = strings.ReplaceAll(s, " ", "")
	data := make([]byte, (len(s)+7)/8)
	for i, c := range s {
		if c == '1' {
			data[i/8] |= 0x80 >> (i % 8)
		}
	}
	return len(s), data
}

func TestDecodeWiegandTable(t *testing.T) {
	tests := []struct {
		name    string
		bits    string
		want    string
		wantErr error
	}{
		// P  FC=1      CN=1              P
		{"H10301 1/1", "1 00000001 0000000000000001 0", "H10301:1:1", nil},
		// FC=255 CN=65535: 8 ones in bits 1..12 -> even -> P0=0; 12 ones -> odd needs P25=1.
		{"H10301 max", "0 11111111 1111111111111111 1", "H10301:255:65535", nil},
		{"H10301 bad even parity", "0 00000001 0000000000000001 0", "", ErrWiegandParity},
		{"H10301 bad odd parity", "1 00000001 0000000000000001 1", "", ErrWiegandParity},
		// H10304 FC=1 CN=1: bits 1..18 hold one 1 -> P0=1; bits 18..35 hold one 1 -> P36=0.
		{"H10304 1/1", "1 0000000000000001 0000000000000000001 0", "H10304:1:1", nil},
		{"H10304 bad parity", "0 0000000000000001 0000000000000000001 0", "", ErrWiegandParity},
		{"unsupported length", "1010", "", ErrWiegandFormat},
	}
	for _, tt := range tests {
		n, data := bitsFromString(tt.bits)
		got, err := DecodeWiegand(n, data)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.wantErr)
			continue
		}
		if err == nil && got.ID() != tt.want {
			t.Errorf("%s: ID = %q, want %q", tt.name, got.ID(), tt.want)
		}
	}
}

// Corporate 1000 parity, worked by hand for company 1, card 1 (1-based bit
// numbers): data ones at bit 14 (company LSB) and bit 34 (card LSB).
// Bit 2 covers n%3!=2 in 3..34: 14%3=2 excluded, 34%3=1 included -> one
// -> bit2 = 1. Bit 35 covers n%3!=1 in 2..33 plus bit 2: bit 14 (14%3=2)
// and bit 2 -> two ones -> bit35 = 1. Bit 1: ones so far 14,34,2,35 = 4
// -> odd parity needs bit1 = 1.
func TestCorporate1000HandWorked(t *testing.T) {
	n, data := bitsFromString("1 1 000000000001 00000000000000000001 1")
	got, err := DecodeWiegand(n, data)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID() != "C1000-35:1:1" {
		t.Errorf("ID = %q", got.ID())
	}
	data[4] ^= 0x20 // flip bit 35
	if _, err := DecodeWiegand(n, data); !errors.Is(err, ErrWiegandParity) {
		t.Errorf("flipped parity: err = %v", err)
	}
}

func TestWiegandEncodeDecodeAllFormats(t *testing.T) {
	cases := []struct {
		format string
		fac    uint32
		num    uint64
	}{
		{FormatH10301, 0, 0}, {FormatH10301, 123, 45678}, {FormatH10301, 255, 65535},
		{FormatCorporate1K, 4095, 1048575}, {FormatCorporate1K, 1234, 567890}, {FormatCorporate1K, 0, 1},
		{FormatH10304, 65535, 524287}, {FormatH10304, 4321, 98765},
	}
	for _, c := range cases {
		n, data, err := EncodeWiegand(c.format, c.fac, c.num)
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		got, err := DecodeWiegand(n, data)
		if err != nil {
			t.Fatalf("%s %d/%d: decode: %v", c.format, c.fac, c.num, err)
		}
		if got.Layout != c.format || got.Facility != c.fac || got.Number != c.num {
			t.Errorf("round trip: got %s/%d/%d, want %s/%d/%d", got.Layout, got.Facility, got.Number, c.format, c.fac, c.num)
		}
		// Every single-bit error must be caught by parity or change the value.
		for i := range n {
			bad := append([]byte(nil), data...)
			bad[i/8] ^= 0x80 >> (i % 8)
			if _, err := DecodeWiegand(n, bad); err == nil {
				t.Errorf("%s: single bit flip at %d not detected", c.format, i)
			}
		}
	}
	if _, _, err := EncodeWiegand(FormatH10301, 256, 1); !errors.Is(err, ErrWiegandRange) {
		t.Errorf("out of range facility: %v", err)
	}
}

func TestCardIdentifier(t *testing.T) {
	n, data, _ := EncodeWiegand(FormatH10301, 10, 20)
	if got := CardIdentifier(RawCard{Bits: uint16(n), Data: data}); got != "H10301:10:20" {
		t.Errorf("got %q", got)
	}
	if got := CardIdentifier(RawCard{Bits: 12, Data: []byte{0xAB, 0xC0}}); got != "raw:12:abc0" {
		t.Errorf("got %q", got)
	}
}
