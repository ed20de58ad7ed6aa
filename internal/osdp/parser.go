package osdp

import "encoding/binary"

// Parser turns a byte stream into frames. It tolerates line noise: bytes
// before a start-of-message are skipped, and a candidate frame whose length,
// reserved bits or check bytes are wrong is abandoned one byte past its SOM
// so that a real frame starting inside the garbage is still found.
//
// A Parser is not safe for concurrent use.
type Parser struct {
	buf []byte
	// mark records whether the byte before buf[0] (a SOM) was 0xFF.
	mark bool
	// Discarded counts bytes skipped while resynchronising.
	Discarded int
}

// Feed appends received bytes.
func (p *Parser) Feed(b []byte) {
	p.buf = append(p.buf, b...)
}

// Reset drops any partial frame, as a receiver does after an inter-byte
// silence: a frame that was cut off will never complete.
func (p *Parser) Reset() {
	p.Discarded += len(p.buf)
	p.buf = p.buf[:0]
	p.mark = false
}

// Buffered returns the number of bytes held for an incomplete frame.
func (p *Parser) Buffered() int { return len(p.buf) }

func (p *Parser) discard(n int) {
	p.Discarded += n
	p.buf = append(p.buf[:0], p.buf[n:]...)
}

// Next returns the next complete frame. It returns false when more bytes
// are needed. The frame owns its memory.
func (p *Parser) Next() (Frame, bool) {
	for {
		i := 0
		for i < len(p.buf) && p.buf[i] != somByte {
			i++
		}
		if i > 0 {
			p.mark = p.buf[i-1] == markByte
			p.discard(i)
		}
		if len(p.buf) < headerLen {
			return Frame{}, false
		}
		ctrl := p.buf[4]
		n := int(binary.LittleEndian.Uint16(p.buf[2:4]))
		if ctrl&ctrlReserved != 0 || n < minFrameLen(ctrl) || n > MaxFrameLen {
			p.skipSOM()
			continue
		}
		if len(p.buf) < n {
			return Frame{}, false
		}
		raw := append([]byte(nil), p.buf[:n]...)
		f, err := decodeChecked(raw)
		if err != nil {
			p.skipSOM()
			continue
		}
		f.Mark = p.mark
		p.mark = false
		p.buf = append(p.buf[:0], p.buf[n:]...)
		return f, true
	}
}

func (p *Parser) skipSOM() {
	p.mark = false
	p.discard(1)
}
