package osdp

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Wire constants.
const (
	markByte = 0xFF
	somByte  = 0x53

	// AddrBroadcast addresses every PD; use it only with a single PD on the line.
	AddrBroadcast = 0x7F
	// MaxAddress is the highest unicast PD address.
	MaxAddress = 0x7E
	replyBit   = 0x80

	ctrlSeqMask  = 0x03
	ctrlCRC      = 0x04
	ctrlSCB      = 0x08
	ctrlReserved = 0xF0

	headerLen = 5 // SOM, ADDR, LEN_LSB, LEN_MSB, CTRL
	macLen    = 4

	// MaxFrameLen bounds LEN. It keeps a corrupted length field from making
	// the parser wait for kilobytes before it can resynchronise, while still
	// accepting every frame a real reader sends (libosdp uses 256).
	MaxFrameLen = 1024
)

// Frame errors. They never include payload bytes.
var (
	ErrFrameShort    = errors.New("osdp: frame truncated")
	ErrFrameSOM      = errors.New("osdp: missing start of message")
	ErrFrameLength   = errors.New("osdp: invalid frame length")
	ErrFrameCheck    = errors.New("osdp: CRC or checksum mismatch")
	ErrFrameSCB      = errors.New("osdp: invalid security control block")
	ErrFrameReserved = errors.New("osdp: reserved CTRL bits set")
	ErrFrameSeq      = errors.New("osdp: sequence number out of range")
)

// Frame is one OSDP packet, either a command (CP to PD) or a reply.
type Frame struct {
	// Mark records a leading 0xFF. It is outside LEN, CRC and MAC.
	Mark bool
	// Addr is the 7-bit PD address; the reply flag is kept in Reply.
	Addr  byte
	Reply bool
	// Seq is the 2-bit sequence number.
	Seq byte
	// CRC selects the 2-byte CRC-16 trailer; false means 1-byte checksum.
	CRC bool
	// SCB is the security control block without its length byte:
	// SCB[0] is the block type, the rest its data. Nil when absent.
	SCB  []byte
	Code byte
	Data []byte
	// MAC holds the 4 MAC bytes; present iff HasMAC.
	MAC [macLen]byte

	// raw is the decoded frame from SOM through the trailer; the secure
	// channel MACs raw[:len-macLen-trailer].
	raw []byte
}

// SCBType returns the security block type or 0 when no block is present.
func (f *Frame) SCBType() byte {
	if len(f.SCB) == 0 {
		return 0
	}
	return f.SCB[0]
}

// HasMAC reports whether the frame carries a 4-byte MAC (SCB 0x15..0x18).
func (f *Frame) HasMAC() bool { return isMACType(f.SCBType()) }

func isMACType(t byte) bool { return t >= scsCmdMAC && t <= scsReplyEnc }

func (f *Frame) trailerLen() int {
	if f.CRC {
		return 2
	}
	return 1
}

// Len is the value of the LEN field: bytes from SOM through the trailer.
func (f *Frame) Len() int {
	n := headerLen + 1 + len(f.Data) + f.trailerLen()
	if len(f.SCB) > 0 {
		n += 1 + len(f.SCB)
	}
	if f.HasMAC() {
		n += macLen
	}
	return n
}

func (f *Frame) validate() error {
	if f.Addr > 0x7F {
		return fmt.Errorf("osdp: address %#x out of range", f.Addr)
	}
	if f.Seq > 3 {
		return ErrFrameSeq
	}
	if len(f.SCB) > 254 {
		return ErrFrameSCB
	}
	if f.Len() > MaxFrameLen {
		return ErrFrameLength
	}
	return nil
}

// appendBody appends MARK (if set), the header, SCB, code and data, with LEN
// already accounting for the MAC and trailer. It returns the offset of SOM,
// which is where CRC and MAC coverage start.
func (f *Frame) appendBody(dst []byte) ([]byte, int, error) {
	if err := f.validate(); err != nil {
		return dst, 0, err
	}
	if f.Mark {
		dst = append(dst, markByte)
	}
	start := len(dst)
	addr := f.Addr
	if f.Reply {
		addr |= replyBit
	}
	ctrl := f.Seq & ctrlSeqMask
	if f.CRC {
		ctrl |= ctrlCRC
	}
	if len(f.SCB) > 0 {
		ctrl |= ctrlSCB
	}
	dst = append(dst, somByte, addr, 0, 0, ctrl)
	binary.LittleEndian.PutUint16(dst[start+2:], uint16(f.Len()))
	if len(f.SCB) > 0 {
		dst = append(dst, byte(len(f.SCB)+1))
		dst = append(dst, f.SCB...)
	}
	dst = append(dst, f.Code)
	dst = append(dst, f.Data...)
	return dst, start, nil
}

// appendTrailer appends the CRC (LSB first) or checksum of b[start:].
func appendTrailer(b []byte, start int, crc bool) []byte {
	if crc {
		c := CRC16(b[start:])
		return append(b, byte(c), byte(c>>8))
	}
	return append(b, Checksum(b[start:]))
}

// AppendEncode appends the wire encoding of f to dst. For SCB types that
// carry a MAC, f.MAC is sent as is; use a secure Session to compute it.
func (f *Frame) AppendEncode(dst []byte) ([]byte, error) {
	b, start, err := f.appendBody(dst)
	if err != nil {
		return dst, err
	}
	if f.HasMAC() {
		b = append(b, f.MAC[:]...)
	}
	return appendTrailer(b, start, f.CRC), nil
}

// Encode returns the wire encoding of f.
func (f *Frame) Encode() ([]byte, error) {
	return f.AppendEncode(make([]byte, 0, f.Len()+1))
}

// minFrameLen is the smallest LEN a frame with this CTRL byte can have.
func minFrameLen(ctrl byte) int {
	n := headerLen + 1 + 1 // header, code, checksum
	if ctrl&ctrlCRC != 0 {
		n++
	}
	if ctrl&ctrlSCB != 0 {
		n += 2
	}
	return n
}

// DecodeFrame decodes exactly one frame, optionally preceded by MARK. The
// returned frame's slices alias b.
func DecodeFrame(b []byte) (Frame, error) {
	mark := false
	if len(b) > 0 && b[0] == markByte {
		mark = true
		b = b[1:]
	}
	if len(b) < headerLen {
		return Frame{}, ErrFrameShort
	}
	if b[0] != somByte {
		return Frame{}, ErrFrameSOM
	}
	n := int(binary.LittleEndian.Uint16(b[2:4]))
	if n != len(b) {
		if n > len(b) {
			return Frame{}, ErrFrameShort
		}
		return Frame{}, ErrFrameLength
	}
	f, err := decodeChecked(b)
	f.Mark = mark
	return f, err
}

// decodeChecked decodes b, which starts at SOM and is exactly LEN bytes.
func decodeChecked(b []byte) (Frame, error) {
	ctrl := b[4]
	if ctrl&ctrlReserved != 0 {
		return Frame{}, ErrFrameReserved
	}
	if len(b) < minFrameLen(ctrl) || len(b) > MaxFrameLen {
		return Frame{}, ErrFrameLength
	}
	f := Frame{
		Addr:  b[1] &^ replyBit,
		Reply: b[1]&replyBit != 0,
		Seq:   ctrl & ctrlSeqMask,
		CRC:   ctrl&ctrlCRC != 0,
	}
	end := len(b) - f.trailerLen()
	if f.CRC {
		if CRC16(b[:end]) != binary.LittleEndian.Uint16(b[end:]) {
			return Frame{}, ErrFrameCheck
		}
	} else if Checksum(b[:end]) != b[end] {
		return Frame{}, ErrFrameCheck
	}
	p := headerLen
	if ctrl&ctrlSCB != 0 {
		sl := int(b[p])
		if sl < 2 || p+sl >= end {
			return Frame{}, ErrFrameSCB
		}
		f.SCB = b[p+1 : p+sl]
		p += sl
	}
	if f.HasMAC() {
		if end-macLen <= p {
			return Frame{}, ErrFrameSCB
		}
		end -= macLen
		copy(f.MAC[:], b[end:end+macLen])
	}
	f.Code = b[p]
	f.Data = b[p+1 : end]
	f.raw = b
	return f, nil
}

// macInput returns the bytes the secure channel MACs: SOM through the last
// data byte, for a decoded frame.
func (f *Frame) macInput() []byte {
	if f.raw == nil {
		return nil
	}
	return f.raw[:len(f.raw)-f.trailerLen()-macLen]
}

// Raw returns the bytes the frame was decoded from (SOM through trailer,
// without MARK), or nil for a frame built in memory. A PD uses it to
// recognise a retransmitted command.
func (f *Frame) Raw() []byte { return f.raw }
