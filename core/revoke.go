package core

import (
	"fmt"

	"github.com/webriskops/webhook-setup/core/codes"
)

// RevokeChecklist is the order the product page asks for when a target is
// disconnected: revoke at the receiver first, then disconnect here. The
// disconnect command and the wizard both show it before they ask for
// confirmation, so it lives in one place. Items hold outside text (the
// revoke path, the name): sanitise them before drawing.
func RevokeChecklist(t Target) []string {
	return []string{
		"Rotate or delete the receiver URL at its owner: " + t.RevokePath,
		"Delete or rotate the signing secret " + SigningSummary(t.Signing) + " in the receiver",
		"Then disconnect the WebRiskOps webhook target " + t.Name,
	}
}

// SigningSummary is the algorithm, fingerprint and date a secret was set:
// what every screen shows instead of the secret itself.
func SigningSummary(s *Signing) string {
	if s == nil {
		return "none (" + string(codes.SecretMissing) + ")"
	}
	if s.CreatedAt.IsZero() {
		return fmt.Sprintf("%s %s", s.Algorithm, s.Fingerprint)
	}
	return fmt.Sprintf("%s %s set %s", s.Algorithm, s.Fingerprint, s.CreatedAt.UTC().Format("2006-01-02"))
}
