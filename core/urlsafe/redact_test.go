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
		{"https://hook.eu1.make.com/abcdefghijklmnopqrstuvwxyz123456", "https://hook.eu1.make.com/abcd…"},
		{"https://n8n.example.com/webhook/6f1c2a3b-1111-2222-3333-444455556666", "https://n8n.example.com/webhook/6f1c…"},
		{"https://n8n.example.com/webhook-test/6f1c2a3b/x", "https://n8n.example.com/webh…/6f1c2a3b/x"},
		{"https://hooks.zapier.com/hooks/catch/123456789/abcdefghi/", "https://hooks.zapier.com/hooks/catch/1234…/abcd…/"},
		{"https://example.com/12345678", "https://example.com/1234…"},
		{"https://example.com/1234/x", "https://example.com/1234/x"},
		{"https://example.com/hook", "https://example.com/hook"},
		{"https://hooks.zapier.com/hooks/catch/1234567/abc1d2e/", "https://hooks.zapier.com/hooks/catch/1234567/abc1…/"},
		{"https://example.com/123456789", "https://example.com/1234…"},
		{"https://example.com:8443/abcdefghij", "https://example.com:8443/abcd…"},
		{"https://[2606:4700::1]:8443/abcdefghij", "https://[2606:4700::1]:8443/abcd…"},
		{"https://example.com/h?token=abcdefgh&a=1&flag&longkeyname123=v&e=", "https://example.com/h?token=abcd…&a=1&flag&long…=v&e="},
		{"https://example.com/h?abcdefghijkl", "https://example.com/h?abcd…"},
		{"https://example.com/h?a=1;b=abcdefg", "https://example.com/h?a=1;b=abcd…"},
		{"https://example.com/h?next=https://other.example/abcdefghijkl", "https://example.com/h?next=http…"},
		{"https://user:secretpassword@example.com/x", "https://…@example.com/x"},
		{"https://@example.com/x", "https://…@example.com/x"},
		{"https://a@b@example.com/x", "https://…@example.com/x"},
		{"https://example.com/x#access_token=abcdefghijkl", "https://example.com/x#…"},
		{"https://example.com/x#", "https://example.com/x"},
		{"HTTPS://Example.COM/Abcdefghij", "HTTPS://Example.COM/Abcd…"},
		{"https://example.com/\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9/x", "https://example.com/\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9/x"},
		{"https://example.com/\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9", "https://example.com/\u00e9\u00e9\u00e9\u00e9…"},
		{"https://example.com\\abcdefghijkl", "https://example.com\\abc…"},
		{"https://example.com/a\nb", "https://example.com/a\ufffdb"},
		{"https://example.com/\xff\xfe", "https://example.com/\ufffd\ufffd"},
		{"https://exa mple.com/abcdefghij", "https://exa …/abcd…"},
		{"ftp://files.example.com/abcdefghijk", "ftp://files.example.com/abcd…"},
		// not URLs: cut piece by piece
		{"hooks.zapier.com/hooks/catch/123/abcdefghij", "hook…/hooks/catch/123/abcd…"},
		{"not a url at all", "not …"},
		{"https:abcdefghijkl", "http…"},
		{"://abcdefghijkl", "://abcd…"},
		{"1https://abcdefghijkl/x", "1https://abcd…/x"},
		// Zapier's 7-character token stays hidden however the URL is typed.
		{" https://hooks.zapier.com/hooks/catch/1234567/abc1d2e/", " https://hooks.zapier.com/hooks/catch/1234567/abc1…/"},
		{"https://hooks.zapier.com/hooks/catch/1234567/abc1d2e/ ", "https://hooks.zapier.com/hooks/catch/1234567/abc1…/ "},
		{"\thttps://hooks.zapier.com/hooks/catch/1234567/abc1d2e\n", "\ufffdhttps://hook…/hooks/catch/1234567/abc1…"},
		{"hooks.zapier.com/hooks/catch/1234567/abc1d2e/", "hook…/hooks/catch/1234567/abc1…/"},
		{"https:/hooks.zapier.com/hooks/catch/1234567/abc1d2e/", "https:/hook…/hooks/catch/1234567/abc1…/"},
		{"//hooks.zapier.com/hooks/catch/1234567/abc1d2e/", "//hook…/hooks/catch/1234567/abc1…/"},
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
