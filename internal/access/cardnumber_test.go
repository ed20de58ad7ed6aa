package access

import (
	"slices"
	"testing"
)

// TestCardForms: a card stored in any of the usual notations (as an admin
// types it: hex in either case, with or without separators, or the decimal a
// reader prints, in either byte order, zero-padded or not) is found from the
// notation another reader presents — Gen7 terminals send hex UIDs.
func TestCardForms(t *testing.T) {
	const (
		uid4   = "04A1B2C3"   // 4-byte UID, as hex
		be4    = "77705923"   // its decimal, first byte most significant
		be4pad = "0077705923" // … zero-padded to 10 digits
		le4    = "3283263748" // its decimal, first byte least significant (C3B2A104)
		uid7   = "04A1B2C3D4E5F6"
		be7    = "1303689068602870"
		le7    = "69495546249912580"
	)
	for _, c := range []struct{ entered, presented string }{
		{uid4, uid4},
		{"04:a1:b2:c3", uid4},
		{"04 A1 B2 C3", "04-a1-b2-c3"},
		{uid4, "04:a1:b2:c3"},
		{be4, uid4},
		{be4pad, uid4},
		{le4, uid4},
		{uid4, be4},
		{uid4, be4pad},
		{uid4, le4},
		{be4, be4pad},
		{be4pad, be4},
		{uid7, "04:a1:b2:c3:d4:e5:f6"},
		{be7, uid7},
		{le7, uid7},
		{uid7, be7},
		{uid7, le7},
		// A UID whose first byte is 00: its decimal has no trace of it.
		{"00A1B2C3", "10597059"},
		{"10597059", "00:a1:b2:c3"},
	} {
		stored, err := normaliseIdentifier(TypeNFC, c.entered)
		if err != nil {
			t.Fatalf("%q: %v", c.entered, err)
		}
		if forms := cardForms(c.presented); !slices.Contains(append(forms, c.presented), stored) {
			t.Errorf("stored %q (entered %q) not among the forms of %q: %v", stored, c.entered, c.presented, forms)
		}
	}

	// cardForm comes first (the stored form of an entry); tokens and numbers
	// that cannot be a UID get no numeric readings.
	if f := cardForms(" 04:a1:b2:c3 "); f[0] != uid4 {
		t.Errorf("first form %q", f[0])
	}
	for _, s := range []string{"QR-TOKEN-ABCDEFGH", "04A1B2", "04A1B2C3D4E5F60718", "0", "123456789012345678901"} {
		if f := cardForms(s); len(f) != 1 || f[0] != cardForm(s) {
			t.Errorf("%q: %v", s, f)
		}
	}
	// No duplicates (each is a query parameter).
	for _, s := range []string{uid4, be4, "1234", uid7} {
		f := cardForms(s)
		if len(slices.Compact(slices.Sorted(slices.Values(f)))) != len(f) {
			t.Errorf("%q: duplicate forms %v", s, f)
		}
	}
}
