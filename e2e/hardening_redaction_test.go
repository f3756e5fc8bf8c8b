package e2e

import (
	"strings"
	"testing"
)

// TestRedactionHidesZapierTokenWhateverFollows (issue 15, finding 1): a
// Zapier catch hook whose token is not the last path segment (Zapier's
// /silent/ suffix, a trailing /1 or /.) showed the token whole in add,
// list, show, audit, their --json and the raw audit_events.detail column;
// the plain form showed 4 of its 7 characters. Now no character run of
// the token shows anywhere, and the audit detail never holds more of the
// URL than list shows.
func TestRedactionHidesZapierTokenWhateverFollows(t *testing.T) {
	const token = "zq7x9k2"
	prefix := token[:4] // what the old rule showed of a last segment
	forms := map[string]string{
		"zap-silent":        "https://hooks.zapier.com/hooks/catch/1234567/" + token + "/silent/",
		"zap-silent-bare":   "https://hooks.zapier.com/hooks/catch/1234567/" + token + "/silent",
		"zap-one":           "https://hooks.zapier.com/hooks/catch/1234567/" + token + "/1",
		"zap-dot":           "https://hooks.zapier.com/hooks/catch/1234567/" + token + "/.",
		"zap-plain":         "https://hooks.zapier.com/hooks/catch/1234567/" + token + "/",
		"zap-plain-noslash": "https://hooks.zapier.com/hooks/catch/1234567/" + token,
	}
	h := newHome(t)
	sf := h.writeFile("secret", knownSecret+"\n")
	leaks := func(what, out string) {
		t.Helper()
		if strings.Contains(out, token) || strings.Contains(out, prefix) {
			t.Fatalf("%s shows the hook token (or its first 4 characters):\n%s", what, out)
		}
	}
	for name, url := range forms {
		for _, json := range [][]string{nil, {"--json"}} {
			n := name + strings.Join(json, "")
			r := h.ok(append([]string{"add", "--name", n, "--provider", "zapier_webhook", "--mode", "cloud",
				"--url", url, "--secret-file", sf, "--owner", "ops@example.com",
				"--revoke-path", "Zapier > Zaps", "--confirm-receiver-checks", "--resolve", zapierResolve}, json...)...)
			leaks("add "+n, r.stdout+r.stderr)
			for _, args := range [][]string{{"show", n}, {"show", n, "--json"}} {
				r := h.ok(args...)
				leaks(strings.Join(args, " "), r.stdout+r.stderr)
			}
		}
	}
	for _, args := range [][]string{{"list"}, {"list", "--json"}, {"status"}, {"status", "--json"}, {"audit"}, {"audit", "--json"}} {
		r := h.ok(args...)
		leaks(strings.Join(args, " "), r.stdout+r.stderr)
	}

	// The stored audit detail shows the URL exactly as list does, no more.
	var list []struct{ Name, Endpoint string }
	mustJSON(t, h.ok("list", "--json").stdout, &list)
	shown := map[string]string{}
	for _, it := range list {
		shown[it.Name] = it.Endpoint
	}
	db := h.openDB()
	rows, err := db.Query(`SELECT target, detail FROM audit_events WHERE action = 'target.create'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var target, detail string
		if err := rows.Scan(&target, &detail); err != nil {
			t.Fatal(err)
		}
		n++
		leaks("audit_events.detail of "+target, detail)
		if shown[target] == "" || !strings.Contains(detail, "url "+shown[target]) {
			t.Fatalf("audit detail of %s %q does not show the URL as list does (%q)", target, detail, shown[target])
		}
	}
	if n != 2*len(forms) {
		t.Fatalf("%d create events, want %d", n, 2*len(forms))
	}
}
