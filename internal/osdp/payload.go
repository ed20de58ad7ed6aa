package osdp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrUnknownCode is returned when decoding a code this package does not model.
var ErrUnknownCode = errors.New("osdp: unknown message code")

// PayloadError reports a message body of the wrong size. It carries only
// the code and lengths, never the body.
type PayloadError struct {
	Code  byte
	Reply bool
	Len   int
}

func (e *PayloadError) Error() string {
	return fmt.Sprintf("osdp: %s: invalid payload length %d", CodeName(e.Code, e.Reply), e.Len)
}

func badCmdLen(code byte, data []byte) error {
	return &PayloadError{Code: code, Len: len(data)}
}

func badReplyLen(code byte, data []byte) error {
	return &PayloadError{Code: code, Reply: true, Len: len(data)}
}

func le16(b []byte) uint16 { return binary.LittleEndian.Uint16(b) }
func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }

func put16(dst []byte, v uint16) []byte { return binary.LittleEndian.AppendUint16(dst, v) }
func put32(dst []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(dst, v) }

// writeRedacted prints a placeholder for every fmt verb so that secrets
// cannot leak through %v, %x, %#v or %+v.
func writeRedacted(f fmt.State, what string) {
	_, _ = io.WriteString(f, what+"{redacted}")
}
