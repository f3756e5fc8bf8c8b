package e2e

import (
	"strings"
	"testing"
)

// A Zapier target's show and status say what its receiver can enforce,
// and its default pace is the one the Zapier recipe holds.
func TestZapierTargetShowsItsReplayProtectionAndPace(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap")
	out := strings.Join(strings.Fields(h.ok("show", "zap").stdout), " ") // the note wraps
	for _, want := range []string{"rate_limit: 1/2s", "replay_protection ready: checked in the Zap", "refusals appear in Zap history, not here"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	var show map[string]any
	mustJSON(t, h.ok("show", "zap", "--json").stdout, &show)
	if note, _ := show["replay_protection_note"].(string); !strings.Contains(note, "Zap history") {
		t.Errorf("show --json replay_protection_note = %q", note)
	}
	if rl, _ := show["rate_limit"].(map[string]any); rl["requests"] != 1.0 || rl["per_seconds"] != 2.0 {
		t.Errorf("show --json rate_limit = %v, want 1 per 2 s", show["rate_limit"])
	}
	var status []map[string]any
	mustJSON(t, h.ok("status", "--json").stdout, &status)
	if note, _ := item(t, status, 0, "status --json")["replay_protection_note"].(string); !strings.Contains(note, "Zap history") {
		t.Errorf("status --json replay_protection_note = %q", note)
	}
}

// A Zapier target paced faster than its recipe holds is warned about.
func TestZapierTargetFasterThanItsRecipeIsWarned(t *testing.T) {
	h := newHome(t)
	h.addZapier("fast", "--rate-limit", "5/1s")
	out := strings.Join(strings.Fields(h.ok("show", "fast").stdout), " ")
	if !strings.Contains(out, "warning: rate_limit 5/1s is faster than the Zapier recipe's replay memory holds (1/2s)") {
		t.Errorf("show lacks the pace warning:\n%s", out)
	}
}
