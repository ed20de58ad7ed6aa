// Package secret encrypts secrets at rest (door-vendor API keys, reader
// secure-channel keys): AES-256-GCM with a key id, so the key can be rotated
// while old ciphertexts stay readable, and with associated data binding each
// ciphertext to the row it belongs to (a value copied into another row fails).
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

// KeySize is the size of a master key: 32 bytes (AES-256).
const KeySize = 32

// ErrNoKey says no master key is configured.
var ErrNoKey = errors.New("no secret key configured: set GATEHOUSE_SECRET_KEY (openssl rand -base64 32)")

// ErrDecrypt says a ciphertext could not be opened: wrong key, tampered data or
// data bound to another row. It never says which, and never echoes the data.
var ErrDecrypt = errors.New("secret: cannot decrypt (wrong key or tampered data)")

// Keyring holds the current key (used to seal) and older keys (still opened).
type Keyring struct {
	current string
	aeads   map[string]cipher.AEAD
}

// KeyID is a short public name of a key: the first 8 hex digits of its SHA-256.
func KeyID(key []byte) string {
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:4])
}

// NewKeyring builds a keyring: the first key seals, all keys open.
func NewKeyring(keys ...[]byte) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, ErrNoKey
	}
	k := &Keyring{aeads: map[string]cipher.AEAD{}}
	for i, key := range keys {
		if len(key) != KeySize {
			return nil, fmt.Errorf("secret key %d has %d bytes; it must have %d", i+1, len(key), KeySize)
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		id := KeyID(key)
		if i == 0 {
			k.current = id
		}
		k.aeads[id] = aead
	}
	return k, nil
}

// ParseKeys reads base64 keys separated by commas: "NEW,OLD,…".
func ParseKeys(s string) ([][]byte, error) {
	var out [][]byte
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(part)
		if err != nil || len(b) != KeySize {
			return nil, fmt.Errorf("secret key %d must be %d bytes in base64 (openssl rand -base64 32)", i+1, KeySize)
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		return nil, ErrNoKey
	}
	return out, nil
}

// LoadOrCreateKeyFile reads a base64 key from path, or creates the file with a
// new random key (mode 0600). It serves the zero-configuration SQLite set-up;
// production sets GATEHOUSE_SECRET_KEY instead.
func LoadOrCreateKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		keys, err := ParseKeys(strings.TrimSpace(string(b)))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return keys[0], nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		return nil, err
	}
	return key, f.Sync()
}

// CurrentKeyID names the key Seal uses.
func (k *Keyring) CurrentKeyID() string { return k.current }

const prefix = "gh1"

// Seal encrypts plaintext bound to aad (e.g. "integration:17:apiKey") and returns
// "gh1:<key id>:<base64 nonce‖ciphertext>".
func (k *Keyring) Seal(plaintext []byte, aad string) (string, error) {
	aead := k.aeads[k.current]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	ct := aead.Seal(nonce, nonce, plaintext, []byte(aad))
	return prefix + ":" + k.current + ":" + base64.RawStdEncoding.EncodeToString(ct), nil
}

// Open decrypts a value made by Seal with the same aad.
func (k *Keyring) Open(sealed, aad string) ([]byte, error) {
	parts := strings.SplitN(sealed, ":", 3)
	if len(parts) != 3 || parts[0] != prefix {
		return nil, ErrDecrypt
	}
	aead, ok := k.aeads[parts[1]]
	if !ok {
		return nil, fmt.Errorf("secret: sealed with key %s, which is not configured", parts[1])
	}
	raw, err := base64.RawStdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) < aead.NonceSize() {
		return nil, ErrDecrypt
	}
	pt, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(aad))
	if err != nil {
		return nil, ErrDecrypt
	}
	return pt, nil
}

// NeedsRotation reports whether sealed was made with an older key, so a
// re-encryption job can move it to the current one.
func (k *Keyring) NeedsRotation(sealed string) bool {
	parts := strings.SplitN(sealed, ":", 3)
	return len(parts) == 3 && parts[1] != k.current
}
