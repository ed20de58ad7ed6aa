package osdp

// crcTable is the byte-wise table for CRC-16 with polynomial 0x1021, MSB
// first. OSDP uses the AUG-CCITT variant: the same polynomial as CCITT but
// starting from 0x1D0F, with no reflection and no final XOR.
var crcTable = func() (t [256]uint16) {
	for i := range t {
		c := uint16(i) << 8
		for range 8 {
			if c&0x8000 != 0 {
				c = c<<1 ^ 0x1021
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}()

// crcInit is the OSDP CRC seed (CRC-16/AUG-CCITT).
const crcInit = 0x1D0F

// CRC16 returns the OSDP frame CRC of b. It is sent least significant
// byte first.
func CRC16(b []byte) uint16 {
	c := uint16(crcInit)
	for _, x := range b {
		c = c<<8 ^ crcTable[byte(c>>8)^x]
	}
	return c
}

// Checksum returns the OSDP 8-bit checksum of b: the two's complement of
// the byte sum, so that the sum of b and the checksum is zero.
func Checksum(b []byte) byte {
	var s byte
	for _, x := range b {
		s += x
	}
	return -s
}
