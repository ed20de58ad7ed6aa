package osdp

import "testing"

func TestCRC16KnownAnswers(t *testing.T) {
	tests := []struct {
		name, in string
		want     uint16
	}{
		{"annex E COMSET", "53 7F 0D 00 04 6E 00 80 25 00 00", 0x386E},
		{"annex E ID", "53 00 09 00 04 61 00", 0x66C0},
		{"POLL 0x65", "53 65 08 00 04 60", 0x9060},
	}
	for _, tt := range tests {
		if got := CRC16(unhex(t, tt.in)); got != tt.want {
			t.Errorf("%s: CRC16 = %#04x, want %#04x", tt.name, got, tt.want)
		}
	}
	if got := CRC16([]byte("123456789")); got != 0xE5CC {
		t.Errorf("CRC16(123456789) = %#04x, want 0xE5CC (CRC-16/AUG-CCITT check)", got)
	}
}

func TestChecksumKnownAnswers(t *testing.T) {
	tests := []struct {
		in   string
		want byte
	}{
		{"53 7F 0C 00 00 6E 00 80 25 00 00", 0x0F},
		{"53 00 08 00 00 61 00", 0x44},
		{"53 65 07 00 00 60", 0xE1},
	}
	for _, tt := range tests {
		if got := Checksum(unhex(t, tt.in)); got != tt.want {
			t.Errorf("Checksum(%s) = %#02x, want %#02x", tt.in, got, tt.want)
		}
	}
}
