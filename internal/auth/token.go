package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// Token prefixes tell a session token from a device key at a glance (and let
// secret scanners recognise a leaked one).
const (
	sessionPrefix = "ghs_"
	devicePrefix  = "ghd_"
)

// newToken returns a random opaque token with 256 bits of entropy.
func newToken(prefix string) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// hashToken is what the database keeps. The tokens are high-entropy random values,
// so a fast hash suffices: a stolen table yields nothing usable.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func isDeviceKey(token string) bool { return strings.HasPrefix(token, devicePrefix) }
