package urlsafe

import (
	"strings"
	"testing"

	"golang.org/x/net/idna"
)

// TestLookAlikeHost (issue 15, finding 9): hooks.zаpier.com with a
// Cyrillic "а" was saved like any other host. Mixed-script labels and
// labels written wholly in look-alike letters are named, with what they
// read as; ordinary international names are not.
func TestLookAlikeHost(t *testing.T) {
	for _, tt := range []struct{ host, want string }{
		{"hooks.z\u0430pier.com", "looks like hooks.zapier.com"},
		{mustASCII("hooks.z\u0430pier.com"), "looks like hooks.zapier.com"},
		{"HOOKS.Z\u0430PIER.COM.", "mixes Cyrillic letters (а U+0430)"},
		{"\u0440\u0430\u0443\u0440\u0430l.com", "looks like paypal.com"},            // раураl: Cyrillic with Latin l
		{"\u0440\u0430\u0443\u0440\u0430\u04cf.com", "written in Cyrillic letters"}, // раураӏ: all Cyrillic
		{"h\u03bfoks.zapier.com", "mixes Greek"},                                    // Greek omicron
		{"n8n.\u0441\u043er\u0440.example", "looks like n8n.corp.example"},          // сorр
		{"\u0430\u03b1.example", "mixes"},                                           // Cyrillic and Greek
		{"hooks.zapier\u0570.com", "Armenian"},                                      // Armenian h
	} {
		got := LookAlikeHost(tt.host)
		if !strings.Contains(got, tt.want) {
			t.Errorf("LookAlikeHost(%q) = %q, want it to contain %q", tt.host, got, tt.want)
		}
	}
	for _, host := range []string{
		"hooks.zapier.com", "hook.eu1.make.com", "10.0.0.5", "[2606:4700::1]", "b\u00fccher.example",
		"xn--bcher-kva.example", "\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444", // пример.рф
		"\u4f8b\u3048.jp", "tokyo\u6771\u4eac.example", "\u03c0\u03b1\u03c1\u03ac\u03b4\u03b5\u03b9\u03b3\u03bc\u03b1.gr", // παράδειγμα.gr
		"\ud55c\uad6d.example", "",
	} {
		if got := LookAlikeHost(host); got != "" {
			t.Errorf("LookAlikeHost(%q) = %q, want none", host, got)
		}
	}
}

func mustASCII(host string) string {
	a, err := idna.Lookup.ToASCII(host)
	if err != nil || !strings.HasPrefix(a, "hooks.xn--") {
		panic(a)
	}
	return a
}
