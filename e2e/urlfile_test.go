package e2e

import (
	"strings"
	"testing"
)

// TestURLFile is finding 6: add, check-url and test-send read the webhook
// URL (a bearer credential) from --url-file F or stdin (-), so it never
// sits in the process list; the result is the same as with the URL inline.
// Both at once, an empty, multi-line or oversized file are usage errors
// that never echo the file's content.
func TestURLFile(t *testing.T) {
	h := newHome(t)
	urlFile := h.writeFile("zapier-url.txt", zapierURL+"\n")

	inline := h.ok("check-url", zapierURL, "--resolve", zapierResolve, "--json")
	fromFile := h.ok("check-url", "--url-file", urlFile, "--resolve", zapierResolve, "--json")
	fromStdin := h.run(zapierURL+"\r\n", nil, "check-url", "--url-file", "-", "--resolve", zapierResolve, "--json")
	if fromFile.stdout != inline.stdout || fromStdin.stdout != inline.stdout || fromStdin.code != 0 {
		t.Fatalf("check-url --url-file differs from the inline URL:\n%s\n%s\n%s", inline, fromFile, fromStdin)
	}

	sf := h.writeFile("secret", knownSecret+"\n")
	h.ok("add", "--name", "zap", "--provider", "zapier_webhook", "--mode", "cloud", "--url-file", urlFile,
		"--secret-file", sf, "--owner", "ops@example.com", "--revoke-path", "Zapier > Zaps > Ticket intake",
		"--confirm-receiver-checks", "--resolve", zapierResolve)
	var saved, adhoc struct {
		URL string `json:"url"`
	}
	mustJSON(t, h.ok("test-send", "zap", "--dry-run", "--reveal-url", "--json", "--resolve", zapierResolve).stdout, &saved)
	r := h.run(zapierURL, nil, "test-send", "--url-file", "-", "--secret-file", sf, "--dry-run", "--reveal-url", "--json", "--resolve", zapierResolve)
	if r.code != 0 {
		t.Fatalf("test-send --url-file -: %s", r)
	}
	mustJSON(t, r.stdout, &adhoc)
	if saved.URL != zapierURL || adhoc.URL != zapierURL {
		t.Fatalf("the URL read from a file is %q (add) and %q (test-send), want %q", saved.URL, adhoc.URL, zapierURL)
	}

	token := "tok3nabcdefgh"
	for _, c := range []struct {
		name, content string
		args          []string
	}{
		{"both", zapierURL, []string{"check-url", zapierURL, "--url-file", "F"}},
		{"both-add", zapierURL, []string{"add", "--name", "z2", "--url", zapierURL, "--url-file", "F"}},
		{"both-test-send", zapierURL, []string{"test-send", "--url", zapierURL, "--url-file", "F", "--secret-file", sf}},
		{"empty", "\n", []string{"check-url", "--url-file", "F"}},
		{"two-lines", zapierURL + "\n" + zapierURL + "\n", []string{"check-url", "--url-file", "F"}},
		{"huge", strings.Repeat(zapierURL, 200), []string{"add", "--name", "z3", "--url-file", "F"}},
		{"missing", "", []string{"check-url", "--url-file", h.dir + "/no-such-file"}},
	} {
		f := h.writeFile("url-"+c.name, c.content)
		args := append([]string{}, c.args...)
		for i := range args {
			if args[i] == "F" {
				args[i] = f
			}
		}
		r := h.run("", nil, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "generic_webhook_usage") || !strings.Contains(r.stderr, "url-file") {
			t.Errorf("%s: want exit 2 and a usage error naming --url-file\n%s", c.name, r)
		}
		if c.name != "both" && c.name != "both-add" && c.name != "both-test-send" && strings.Contains(r.stderr+r.stdout, token) {
			t.Errorf("%s: the error echoes the file's URL token\n%s", c.name, r)
		}
	}
}
