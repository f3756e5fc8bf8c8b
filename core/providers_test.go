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

// Make documents five webhook requests per second per webhook (429 above
// it; docs/recipes.md cites the page): make_webhook's default pace may not
// be faster, or every export starts with a run of 429s.
func TestMakePaceWithinDocumentedLimit(t *testing.T) {
	const makeDocumentedPerSecond = 5
	p, _ := LookupProvider(ProviderMake)
	if got := p.DefaultRate.PerSecond(); got <= 0 || got > makeDocumentedPerSecond {
		t.Errorf("make_webhook's default pace %v is %.2f per second; Make documents %d", p.DefaultRate, got, makeDocumentedPerSecond)
	}
}

// The notes say every answer a recipe refuses with: Make's and n8n's
// recipes also answer 503 (and n8n 500), which the sender retries; the
// short form fits a status detail line.
func TestProvidersSayWhatRefusalsLookLike(t *testing.T) {
	want := map[ProviderKey][]string{
		ProviderMake:    {"401", "400", "503"},
		ProviderN8N:     {"401", "400", "503", "500"},
		ProviderGeneric: {"401", "400", "503"},
	}
	for _, p := range Providers {
		if p.Refusals == "" || len(p.Refusals) > 60 {
			t.Errorf("%s: short refusal note %q (want 1 to 60 characters)", p.Key, p.Refusals)
		}
		for _, code := range want[p.Key] {
			if !strings.Contains(p.ReplayProtection, code) || !strings.Contains(p.Refusals, code) {
				t.Errorf("%s: the notes %q / %q do not mention %s", p.Key, p.ReplayProtection, p.Refusals, code)
			}
		}
	}
	zap, _ := LookupProvider(ProviderZapier)
	if !zap.SharedPace {
		t.Error("zapier_webhook's pace must hold across processes: its recipe keeps one delivery per slice")
	}
}
