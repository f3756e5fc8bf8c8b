// Package signing holds the WebRiskOps webhook signature: secrets, their
// fingerprints, signing and verification. docs/signing.md is its spec.
package signing

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"

	"github.com/webriskops/webhook-setup/core/codes"
)

// Algorithm is the name shown in every signing summary.
const Algorithm = "HMAC-SHA256"

// Secret length limits, in bytes of printable ASCII.
const (
	MinSecretLen = 32
	MaxSecretLen = 256
)

// GeneratedPrefix starts every secret this tool generates, so a leaked one
// is recognisable by scanners.
const GeneratedPrefix = "wrsec_"

// Generate returns a new secret: the prefix and 43 base64url characters
// from 32 random bytes.
func Generate() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	return GeneratedPrefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Fingerprint identifies a secret without revealing it: "sha256:" and the
// first 12 hex characters of the SHA-256 of the secret.
func Fingerprint(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return "sha256:" + hex.EncodeToString(sum[:])[:12]
}

// CheckSecret returns a problem when secret is missing or not acceptable:
// 32–256 printable ASCII characters without spaces.
func CheckSecret(secret string) *codes.Problem {
	if secret == "" {
		p := codes.NewProblem(codes.SecretMissing, "signing_secret", "no signing secret was given")
		return &p
	}
	if len(secret) < MinSecretLen || len(secret) > MaxSecretLen {
		p := codes.NewProblem(codes.SecretWeak, "signing_secret",
			fmt.Sprintf("the signing secret is %d characters; it must be %d to %d", len(secret), MinSecretLen, MaxSecretLen))
		return &p
	}
	for i := 0; i < len(secret); i++ {
		if c := secret[i]; c <= ' ' || c > '~' {
			p := codes.NewProblem(codes.SecretWeak, "signing_secret",
				fmt.Sprintf("the signing secret has a space, control or non-ASCII character at position %d", i+1))
			return &p
		}
	}
	return nil
}
