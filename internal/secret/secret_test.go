package secret

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func TestSealOpenRoundTripAndBinding(t *testing.T) {
	k, err := NewKeyring(key(1))
	if err != nil {
		t.Fatal(err)
	}
	s, err := k.Seal([]byte("kisi-api-key-123"), "integration:1:apiKey")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(s, "kisi-api-key-123") || !strings.HasPrefix(s, "gh1:"+KeyID(key(1))+":") {
		t.Fatalf("sealed form %q", s)
	}
	pt, err := k.Open(s, "integration:1:apiKey")
	if err != nil || string(pt) != "kisi-api-key-123" {
		t.Fatalf("open: %q %v", pt, err)
	}
	if _, err := k.Open(s, "integration:2:apiKey"); err != ErrDecrypt {
		t.Fatalf("opened with another row's aad: %v", err)
	}
	s2, _ := k.Seal([]byte("kisi-api-key-123"), "integration:1:apiKey")
	if s2 == s {
		t.Fatal("two seals of one value are equal: nonce reuse")
	}
	// Tampering anywhere fails.
	raw := []byte(s)
	raw[len(raw)-3] ^= 1
	if _, err := k.Open(string(raw), "integration:1:apiKey"); err == nil {
		t.Fatal("tampered ciphertext opened")
	}
	for _, bad := range []string{"", "gh1:x", "gh2:" + KeyID(key(1)) + ":AAAA", "gh1:" + KeyID(key(1)) + ":!!!"} {
		if _, err := k.Open(bad, ""); err == nil {
			t.Errorf("opened %q", bad)
		}
	}
}

func TestRotation(t *testing.T) {
	old, _ := NewKeyring(key(1))
	s, _ := old.Seal([]byte("v"), "a")
	both, _ := NewKeyring(key(2), key(1))
	if pt, err := both.Open(s, "a"); err != nil || string(pt) != "v" {
		t.Fatalf("old ciphertext after rotation: %v", err)
	}
	if !both.NeedsRotation(s) {
		t.Fatal("old ciphertext not flagged for re-encryption")
	}
	s2, _ := both.Seal([]byte("v"), "a")
	if both.NeedsRotation(s2) {
		t.Fatal("new ciphertext flagged")
	}
	onlyNew, _ := NewKeyring(key(2))
	if _, err := onlyNew.Open(s, "a"); err == nil || !strings.Contains(err.Error(), "not configured") {
		t.Fatalf("removed key: %v", err)
	}
}

func TestParseKeysAndKeyFile(t *testing.T) {
	good := base64.StdEncoding.EncodeToString(key(3))
	keys, err := ParseKeys(good + ", " + base64.StdEncoding.EncodeToString(key(4)))
	if err != nil || len(keys) != 2 {
		t.Fatalf("%v %v", keys, err)
	}
	for _, bad := range []string{"", "nope", base64.StdEncoding.EncodeToString([]byte("short"))} {
		if _, err := ParseKeys(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	path := filepath.Join(t.TempDir(), "g.key")
	a, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadOrCreateKeyFile(path)
	if err != nil || !bytes.Equal(a, b) {
		t.Fatal("key file not stable")
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v", st.Mode())
	}
	if _, err := NewKeyring([]byte("short")); err == nil {
		t.Fatal("short key accepted")
	}
}

func FuzzOpen(f *testing.F) {
	k, _ := NewKeyring(key(9))
	s, _ := k.Seal([]byte("x"), "aad")
	f.Add(s, "aad")
	f.Add("gh1::", "")
	f.Fuzz(func(t *testing.T, sealed, aad string) {
		_, _ = k.Open(sealed, aad) // never panics
	})
}
