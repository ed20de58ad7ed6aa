package osdp

import (
	"encoding/hex"
	"strings"
	"testing"
)

// unhex decodes hex with optional spaces, failing the test on bad input.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func unhex16(t testing.TB, s string) (a [16]byte) {
	t.Helper()
	copy(a[:], unhex(t, s))
	return a
}
