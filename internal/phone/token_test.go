package phone

import (
	"bytes"
	"encoding/base64"
	"errors"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 21, 11, 0, 5, 0, time.UTC)

func testKeys(entity int64, gens ...uint64) *Keys {
	k := &Keys{EntityID: entity, Keys: map[uint64][]byte{}, RotatedAt: t0.Add(-time.Hour)}
	for _, g := range gens {
		k.Keys[g] = orgKey(bytes.Repeat([]byte{byte(g)}, 32), entity)
		k.Current = g
	}
	return k
}

func issue(k *Keys, purpose byte, subject uint64, at time.Time) string {
	t := &Token{Purpose: purpose, KeyGen: k.Current, Subject: subject, Step: StepOf(at)}
	return t.Sign(k.Keys[k.Current], k.EntityID)
}

func TestVerify(t *testing.T) {
	k := testKeys(7, 1)
	door := issue(k, PurposeDoor, 42, t0)
	if door != issue(k, PurposeDoor, 42, t0.Add(10*time.Second)) {
		t.Fatal("a token of one step must not change")
	}
	if len(door) > 40 {
		t.Fatalf("token %q is not compact (%d)", door, len(door))
	}
	cases := []struct {
		name    string
		text    string
		purpose byte
		subject uint64
		keys    *Keys
		now     time.Time
		want    error
	}{
		{"valid", door, PurposeDoor, 42, k, t0, nil},
		{"any door", door, PurposeDoor, 0, k, t0, nil},
		{"next step (grace / skew)", door, PurposeDoor, 42, k, t0.Add(Step), nil},
		{"verifier one step behind (skew)", door, PurposeDoor, 42, k, t0.Add(-Step), nil},
		{"expired (photographed)", door, PurposeDoor, 42, k, t0.Add(2 * Step), ErrExpired},
		{"two steps ahead", door, PurposeDoor, 42, k, t0.Add(-2 * Step), ErrFuture},
		{"wrong door", door, PurposeDoor, 43, k, t0, ErrBinding},
		{"wrong purpose", door, PurposePass, 42, k, t0, ErrPurpose},
		{"other organisation", door, PurposeDoor, 42, testKeys(8, 1), t0, ErrSignature},
		{"unknown key generation", door, PurposeDoor, 42, testKeys(7, 2), t0, ErrSignature},
		{"garbage", "hello", PurposeDoor, 42, k, t0, ErrMalformed},
		{"padding", door + "=", PurposeDoor, 42, k, t0, ErrMalformed},
		{"line break (same bytes, another hash)", door[:10] + "\r\n" + door[10:], PurposeDoor, 42, k, t0, ErrMalformed},
	}
	for _, c := range cases {
		_, err := Verify(c.text, c.purpose, c.subject, c.keys, c.now)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	// Every single-bit change of the raw token is refused.
	raw, _ := base64.RawURLEncoding.DecodeString(door)
	for i := range raw {
		for bit := range 8 {
			b := bytes.Clone(raw)
			b[i] ^= 1 << bit
			if _, err := Verify(base64.RawURLEncoding.EncodeToString(b), PurposeDoor, 42, k, t0); err == nil {
				t.Fatalf("tampered byte %d bit %d accepted", i, bit)
			}
		}
	}
}

func TestKeyRotation(t *testing.T) {
	old := testKeys(7, 1)
	tok := issue(old, PurposePass, 9, t0)
	rotated := testKeys(7, 1, 2)
	rotated.RotatedAt = t0
	if _, err := Verify(tok, PurposePass, 9, rotated, t0.Add(Step-time.Second)); err != nil {
		t.Fatalf("previous key within one step of the rotation: %v", err)
	}
	if _, err := Verify(tok, PurposePass, 9, rotated, t0.Add(Step)); !errors.Is(err, ErrRetired) {
		t.Fatalf("previous key after one step: %v", err)
	}
	three := testKeys(7, 1, 2, 3)
	three.RotatedAt = t0
	if _, err := Verify(tok, PurposePass, 9, three, t0); !errors.Is(err, ErrRetired) {
		t.Fatalf("two generations back: %v", err)
	}
	if _, err := Verify(issue(rotated, PurposePass, 9, t0), PurposePass, 9, rotated, t0); err != nil {
		t.Fatal(err)
	}
}

func TestAdvertAndDistance(t *testing.T) {
	key := BLEMemberKey(orgKey(bytes.Repeat([]byte{1}, 32), 7), 5, 0xCAFE)
	b := BuildAdvert(key, 0xCAFE, uint32(StepOf(t0)))
	if len(b) != BLEPayloadLen {
		t.Fatal(len(b))
	}
	a, err := ParseAdvert(b)
	if err != nil || a.Handle != 0xCAFE || uint64(a.Step) != StepOf(t0) {
		t.Fatal(a, err)
	}
	if _, err := ParseAdvert(b[:20]); err == nil {
		t.Fatal("short payload accepted")
	}
	for _, c := range []struct {
		rssi, tx int
		n        float64
		want     float64
	}{{-59, -59, 2, 1}, {-79, -59, 2, 10}, {-69, -59, 2, 3.162}, {-71, -59, 3, 2.512}} {
		if d := Distance(c.rssi, c.tx, c.n); d < c.want*0.99 || d > c.want*1.01 {
			t.Errorf("Distance(%d, %d, %v) = %v, want %v", c.rssi, c.tx, c.n, d, c.want)
		}
	}
}

func FuzzParseToken(f *testing.F) {
	k := testKeys(7, 1)
	f.Add(issue(k, PurposeDoor, 42, t0))
	f.Add(issue(k, PurposePass, 1<<40, t0))
	f.Add("")
	f.Add("AQ")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := ParseToken(s)
		if err != nil {
			return
		}
		// Canonical: what parses re-encodes to the same text.
		again := base64.RawURLEncoding.EncodeToString(append(tok.header(), tok.MAC[:]...))
		if again != s {
			t.Fatalf("non-canonical %q parsed (re-encodes to %q)", s, again)
		}
		_, _ = Verify(s, PurposeDoor, 0, k, t0)
	})
}

func FuzzParseAdvert(f *testing.F) {
	f.Add(BuildAdvert(make([]byte, 32), 1, 2))
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ParseAdvert(b)
		if err != nil {
			return
		}
		if len(b) != BLEPayloadLen || !bytes.Equal(a.signed, b[:9]) || !bytes.Equal(a.MAC[:], b[9:]) {
			t.Fatal("inconsistent parse")
		}
		_, _ = ParseAdvertHex(string(b))
	})
}
