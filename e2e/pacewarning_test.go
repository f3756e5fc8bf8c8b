package e2e

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestZapierPaceFasterThanRecipe: add --rate-limit faster than the Zapier
// recipe holds warns at add time, and status does not call the target's
// replay protection ok: the state is "warning" with the reason, in plain
// text (inside 80 columns) and in JSON. A target at the default pace is ok.
func TestZapierPaceFasterThanRecipe(t *testing.T) {
	h := newHome(t)
	h.addZapier("paced")
	r := h.addZapier("fast", "--rate-limit", "5/1s")
	if !strings.Contains(r.stdout, "warning") || !strings.Contains(r.stdout, "5/1s is faster than the Zapier recipe") {
		t.Fatalf("add --rate-limit 5/1s on zapier_webhook did not warn:\n%s", r)
	}

	var items []struct {
		Name   string            `json:"name"`
		Ready  bool              `json:"ready"`
		States map[string]string `json:"states"`
		Warn   []string          `json:"warnings"`
	}
	mustJSON(t, h.ok("status", "--json").stdout, &items)
	got := map[string]string{}
	for _, it := range items {
		got[it.Name] = it.States["replay_protection"]
		if it.Name == "fast" && (len(it.Warn) != 1 || !strings.Contains(it.Warn[0], "1/2s")) {
			t.Errorf("fast: warnings %q", it.Warn)
		}
	}
	if got["fast"] != "warning" || got["paced"] != "ready" {
		t.Fatalf("replay_protection: fast %q (want warning), paced %q (want ready)", got["fast"], got["paced"])
	}

	text := h.ok("status").stdout
	var fastRow, warning, replay bool
	for _, line := range strings.Split(text, "\n") {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("status line of %d columns: %q", n, line)
		}
		f := strings.Fields(line)
		if len(f) > 0 && f[0] == "fast" {
			fastRow = true
			if f[5] != "warn" {
				t.Errorf("status row %q: REPLAY is %q, want warn", line, f[5])
			}
		}
		warning = warning || strings.Contains(line, "warning: rate_limit 5/1s")
		replay = replay || strings.Contains(line, "replay: Zapier answers 200; refusals only in Zap history")
	}
	if !fastRow || !warning || !replay {
		t.Fatalf("status (row %v, warning %v, replay note %v):\n%s", fastRow, warning, replay, text)
	}
}
