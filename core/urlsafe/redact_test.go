package urlsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRedact(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"", ""},
		{"https://example.com", "https://example.com"},
		{"https://example.com/", "https://example.com/"},
		{"https://hook.eu1.make.com/abcdefghijklmnopqrstuvwxyz123456", "https://hook.eu1.make.com/…"},
		{"https://hook.us2.make.com/abc", "https://hook.us2.make.com/…"},
		{"https://n8n.example.com/webhook/6f1c2a3b-1111-2222-3333-444455556666", "https://n8n.example.com/webhook/…"},
		{"https://n8n.example.com/webhook-test/6f1c2a3b/x", "https://n8n.example.com/webhook-test/…/x"},
		{"https://n8n.example.com/webhook/abc", "https://n8n.example.com/webhook/…"},
		{"https://hooks.zapier.com/hooks/catch/123456789/abcdefghi/", "https://hooks.zapier.com/hooks/catch/123456789/…/"},
		{"https://example.com/12345678", "https://example.com/…"},
		{"https://example.com/1234/x", "https://example.com/1234/x"},
		{"https://example.com/hook", "https://example.com/hook"},
		{"https://example.com/intake", "https://example.com/…"},
		{"https://hooks.zapier.com/hooks/catch/1234567/abc1d2e/", "https://hooks.zapier.com/hooks/catch/1234567/…/"},
		// The leak forms of issue 15: the token is not the last segment.
		{"https://hooks.zapier.com/hooks/catch/1234567/zq7x9k2/silent/", "https://hooks.zapier.com/hooks/catch/1234567/…/silent/"},
		{"https://hooks.zapier.com/hooks/catch/1234567/zq7x9k2/silent", "https://hooks.zapier.com/hooks/catch/1234567/…/silent"},
		{"https://hooks.zapier.com/hooks/catch/1234567/zq7x9k2/1", "https://hooks.zapier.com/hooks/catch/1234567/…/1"},
		{"https://hooks.zapier.com/hooks/catch/1234567/zq7x9k2/.", "https://hooks.zapier.com/hooks/catch/1234567/…/."},
		{"https://hooks.zapier.com/hooks/catch/1234567/zq7x/", "https://hooks.zapier.com/hooks/catch/1234567/…/"},
		{"https://hooks.zapier.com/HOOKS/Catch/1234567/zq7x9k2/", "https://hooks.zapier.com/HOOKS/Catch/1234567/…/"},
		{"https://example.com/a/zq7x9k2/b", "https://example.com/a/…/b"},
		{"https://example.com/123456789", "https://example.com/…"},
		{"https://example.com:8443/abcdefghij", "https://example.com:8443/…"},
		{"https://[2606:4700::1]:8443/abcdefghij", "https://[2606:4700::1]:8443/…"},
		{"https://example.com/h?token=abcdefgh&a=1&flag&longkeyname123=v&e=", "https://example.com/h?token=…&a=1&flag&…=v&e="},
		{"https://example.com/h?abcdefghijkl", "https://example.com/h?…"},
		{"https://example.com/h?a=1;b=abcdefg", "https://example.com/h?a=1;b=…"},
		{"https://example.com/h?next=https://other.example/abcdefghijkl", "https://example.com/h?next=…"},
		{"https://user:secretpassword@example.com/x", "https://…@example.com/x"},
		{"https://@example.com/x", "https://…@example.com/x"},
		{"https://a@b@example.com/x", "https://…@example.com/x"},
		{"https://example.com/x#access_token=abcdefghijkl", "https://example.com/x#…"},
		{"https://example.com/x#", "https://example.com/x"},
		{"HTTPS://Example.COM/Abcdefghij", "HTTPS://Example.COM/…"},
		{"https://example.com/\u00e9\u00e9\u00e9\u00e9/x", "https://example.com/\u00e9\u00e9\u00e9\u00e9/x"},
		{"https://example.com/\u00e9\u00e9\u00e9\u00e9\u00e9", "https://example.com/…"},
		{"https://example.com\\abcdefghijkl", "https://example.com\\…"},
		{"https://example.com/a\nb", "https://example.com/a\ufffdb"},
		{"https://example.com/\xff\xfe", "https://example.com/\ufffd\ufffd"},
		{"https://exa mple.com/abcdefghij", "https://…/…"},
		{"ftp://files.example.com/abcdefghijk", "ftp://files.example.com/…"},
		// not URLs: hidden piece by piece
		{"hooks.zapier.com/hooks/catch/123/abcdefghij", "…/hooks/catch/123/…"},
		{"not a url at all", "…"},
		{"https:abcdefghijkl", "…"},
		{"://abcdefghijkl", "://…"},
		{"1https://abcdefghijkl/x", "…//…/x"},
		// Zapier's 7-character token stays hidden however the URL is typed.
		{" https://hooks.zapier.com/hooks/catch/1234567/abc1d2e/", " https://hooks.zapier.com/hooks/catch/1234567/…/"},
		{"https://hooks.zapier.com/hooks/catch/1234567/abc1d2e/ ", "https://hooks.zapier.com/hooks/catch/1234567/…/ "},
		{"\thttps://hooks.zapier.com/hooks/catch/1234567/abc1d2e\n", "…//…/hooks/catch/1234567/…"},
		{"hooks.zapier.com/hooks/catch/1234567/abc1d2e/", "…/hooks/catch/1234567/…/"},
		{"hooks.zapier.com/hooks/catch/1234567/abc1d2e/silent/", "…/hooks/catch/1234567/…/silent/"},
		{"https:/hooks.zapier.com/hooks/catch/1234567/abc1d2e/", "…/…/hooks/catch/1234567/…/"},
		{"//hooks.zapier.com/hooks/catch/1234567/abc1d2e/", "//…/hooks/catch/1234567/…/"},
		{"   ", "   "},
	}
	for _, tt := range tests {
		if got := Redact(tt.raw); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}

func TestRedactNeverLong(t *testing.T) {
	long := strings.Repeat("x", 5000)
	for _, raw := range []string{long, "https://example.com/" + long, "https://example.com/?" + long, "https://" + long + "/a", "https://example.com/#" + long} {
		got := Redact(raw)
		if strings.Contains(got, strings.Repeat("x", 9)) || !utf8.ValidString(got) {
			t.Errorf("Redact(%.30q…) = %.60q", raw, got)
		}
	}
}
