package core

import (
	"strings"
	"testing"
)

// Every provider says where its receiver's replay checks run; Zapier's
// refusals never reach the sender, and its note must say where they go.
func TestProvidersSayWhereReplayIsChecked(t *testing.T) {
	for _, p := range Providers {
		if p.ReplayProtection == "" || strings.Contains(p.ReplayProtection, "\n") {
			t.Errorf("%s: replay protection note %q", p.Key, p.ReplayProtection)
		}
	}
	zap, _ := LookupProvider(ProviderZapier)
	if !strings.Contains(zap.ReplayProtection, "Zap history, not here") {
		t.Errorf("zapier_webhook's note %q does not say refusals stay in Zap history", zap.ReplayProtection)
	}
}
