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

// A pace faster than the Zapier recipe holds is warned about; the default
// and slower paces, and other providers, are not.
func TestPaceWarning(t *testing.T) {
	zap, _ := LookupProvider(ProviderZapier)
	if w := PaceWarning(ProviderZapier, RateLimit{5, 1}); !strings.Contains(w, "1/2s") {
		t.Errorf("5/1s on Zapier: warning %q", w)
	}
	for _, c := range []struct {
		key  ProviderKey
		rate RateLimit
	}{{ProviderZapier, zap.DefaultRate}, {ProviderZapier, RateLimit{1, 10}}, {ProviderMake, RateLimit{300, 10}}, {ProviderGeneric, RateLimit{100, 1}}} {
		if w := PaceWarning(c.key, c.rate); w != "" {
			t.Errorf("%s at %v: unexpected warning %q", c.key, c.rate, w)
		}
	}
}
