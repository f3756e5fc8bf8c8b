package urlsafe

import (
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core/codes"
)

// TestParseRefuses lists inputs the parse-time policy refuses, with a word
// the reason must contain.
func TestParseRefuses(t *testing.T) {
	tests := []struct{ name, raw, reason string }{
		// length and characters
		{"empty", "", "empty"},
		{"too long", "https://example.com/" + strings.Repeat("a", MaxURLLen-19), "2049 bytes"},
		{"leading space", " https://example.com/", "space"},
		{"trailing space", "https://example.com/ ", "space"},
		{"inner space", "https://exa mple.com/", "space"},
		{"tab", "https://example.com/\thook", "control"},
		{"newline", "https://example.com/hook\n", "control"},
		{"carriage return", "https://example.com/\rhook", "control"},
		{"nul", "https://example.com/\x00", "control"},
		{"del", "https://example.com/\x7f", "control"},
		{"escape", "\x1bhttps://example.com/", "control"},
		{"nbsp", "https://example.com/\u00a0", "whitespace"},
		{"ideographic space", "https://example.com/\u3000x", "whitespace"},
		{"line separator", "https://example.com/\u2028", "whitespace"},
		{"next line", "https://example.com/\u0085", "whitespace"},
		{"c1 control", "https://example.com/\u0090", "invisible"},
		{"zero-width space in host", "https://exa\u200bmple.com/", "invisible"},
		{"zero-width joiner", "https://example.com\u200d/", "invisible"},
		{"soft hyphen", "https://exam\u00adple.com/", "invisible"},
		{"bom", "\ufeffhttps://example.com/", "invisible"},
		{"rtl override", "https://example.com/\u202egnp.exe", "invisible"},
		{"invalid utf-8", "https://example.com/\xff", "UTF-8"},
		{"backslash in path", "https://example.com/a\\b", "backslash"},
		{"backslash authority trick", "https://example.com\\@evil.test/", "backslash"},

		// scheme
		{"http", "http://example.com/", "http://"},
		{"HTTP", "HTTP://example.com/", "http://"},
		{"ftp", "ftp://example.com/", `"ftp"`},
		{"javascript", "javascript:alert(1)", `"javascript"`},
		{"file", "file:///etc/passwd", `"file"`},
		{"ws", "wss://example.com/", `"wss"`},
		{"no scheme", "example.com/hook", "no scheme"},
		{"no scheme with port", "example.com:443/hook", "no scheme"},
		{"scheme-relative", "//example.com/hook", "no scheme"},
		{"leading colon", "://example.com/", "no scheme"},
		{"opaque", "https:example.com", "//"},
		{"one slash", "https:/example.com", "//"},

		// userinfo, even empty
		{"user and password", "https://user:pass@example.com/", "user information"},
		{"user", "https://user@example.com/", "user information"},
		{"empty userinfo", "https://@example.com/", "user information"},
		{"empty user and password", "https://:@example.com/", "user information"},
		{"host-looking userinfo", "https://example.com@evil.test/", "user information"},
		{"two ats", "https://a@b@example.com/", "user information"},
		{"percent-encoded at", "https://user%40x@example.com/", "user information"},

		// host presence and shape
		{"nothing after scheme", "https://", "no host"},
		{"empty host with path", "https:///hook", "no host"},
		{"empty host with port", "https://:443/", "no host"},
		{"empty host with query", "https://?x=1", "no host"},
		{"empty host with fragment", "https://#x", "no host"},
		{"only a dot", "https://./", "no host"},
		{"empty label", "https://a..example.com/", "empty label"},
		{"leading dot", "https://.example.com/", "empty label"},
		{"two trailing dots", "https://example.com../", "empty label"},
		{"host too long", "https://" + strings.Repeat(strings.Repeat("a", 63)+".", 4) + "com/", "bytes long"},
		{"label too long", "https://" + strings.Repeat("a", 64) + ".com/", "labels are at most 63"},
		{"underscore", "https://exa_mple.com/", "'_'"},
		{"asterisk", "https://*.example.com/", "'*'"},
		{"percent-encoded host", "https://ex%61mple.com/", "percent-encoded"},
		{"percent-encoded dot", "https://example%2ecom/", "percent-encoded"},
		{"leading hyphen", "https://-example.com/", "hyphen"},
		{"trailing hyphen", "https://example-.com/", "hyphen"},
		{"reserved double hyphen", "https://ab--cd.example.com/", "not a valid host name"},
		{"bad punycode", "https://xn--zz-!.com/", "'!'"},
		{"ascii punycode", "https://xn--example-.com/", "hyphen"},
		{"punycode of ascii", "https://xn--example-9ua.com/", "not a valid host name"},
		{"bracket in name", "https://exa[mple.com/", "bracket"},
		{"unclosed bracket", "https://[::1/", "closing"},
		{"text after bracket", "https://[2606:4700::1]x/", "unexpected text"},

		// ports
		{"empty port", "https://example.com:/", "no port"},
		{"port zero", "https://example.com:0/", "outside 1-65535"},
		{"port zeros", "https://example.com:000/", "outside 1-65535"},
		{"port too big", "https://example.com:65536/", "outside 1-65535"},
		{"port huge", "https://example.com:99999999999999999999/", "outside 1-65535"},
		{"negative port", "https://example.com:-1/", "not a decimal"},
		{"plus port", "https://example.com:+443/", "not a decimal"},
		{"hex port", "https://example.com:0x1bb/", "not a decimal"},
		{"port with letters", "https://example.com:443a/", "not a decimal"},
		{"two ports", "https://example.com:443:443/", "not a decimal"},
		{"ipv6 without brackets", "https://2606:4700::1/", "not a decimal"},

		// IPv6 zones
		{"zone", "https://[fe80::1%25eth0]/", "zone"},
		{"raw zone", "https://[2606:4700::1%eth0]/", "zone"},

		// IPv4 literal encodings of 127.0.0.1 and others: only canonical dotted quads
		{"short form", "https://127.1/", "canonical"},
		{"three parts", "https://127.0.1/", "canonical"},
		{"dotless decimal", "https://2130706433/", "canonical"},
		{"dotless hex", "https://0x7f000001/", "ends in a number"},
		{"dotless octal", "https://017700000001/", "canonical"},
		{"hex first octet", "https://0x7f.0.0.1/", "ends in a number"},
		{"hex short", "https://0x7f.1/", "ends in a number"},
		{"octal first octet", "https://0177.0.0.1/", "canonical"},
		{"octal public", "https://010.8.8.8/", "canonical"},
		{"leading zero last", "https://8.8.8.08/", "canonical"},
		{"hex last octet", "https://8.8.8.0x8/", "ends in a number"},
		{"hex only", "https://0x/", "ends in a number"},
		{"octet too big", "https://256.1.1.1/", "canonical"},
		{"five parts", "https://1.2.3.4.5/", "canonical"},
		{"ipv4 trailing dot", "https://8.8.8.8./", "canonical"},
		{"name ending in number", "https://example.123/", "ends in a number"},
		{"name ending in hex", "https://example.0x1f/", "ends in a number"},
		{"uppercase hex", "https://0X7F.1/", "ends in a number"},
		{"ipv4 in brackets", "https://[8.8.8.8]/", "brackets"},
		{"bad ipv6", "https://[12345::1]/", "not a valid IPv6"},

		// never-allowed literals
		{"loopback", "https://127.0.0.1/", "loopback"},
		{"loopback high", "https://127.255.255.254/", "loopback"},
		{"this network", "https://0.0.0.0/", "this network"},
		{"link-local metadata", "https://169.254.169.254/latest/meta-data/", "link-local"},
		{"alibaba metadata", "https://100.100.100.200/", "Alibaba"},
		{"azure wireserver", "https://168.63.129.16/", "Azure"},
		{"broadcast", "https://255.255.255.255/", "broadcast"},
		{"multicast", "https://224.0.0.1/", "multicast"},
		{"reserved", "https://240.0.0.1/", "reserved"},
		{"documentation", "https://192.0.2.10/", "documentation"},
		{"benchmarking", "https://198.18.0.1/", "benchmarking"},
		{"ipv6 loopback", "https://[::1]/", "loopback"},
		{"ipv6 loopback long", "https://[0:0:0:0:0:0:0:1]:8443/", "loopback"},
		{"ipv6 unspecified", "https://[::]/", "unspecified"},
		{"mapped loopback", "https://[::ffff:127.0.0.1]/", "embeds an IPv4"},
		{"mapped public", "https://[::ffff:8.8.8.8]/", "embeds an IPv4"},
		{"mapped public hex", "https://[::ffff:808:808]/", "embeds an IPv4"},
		{"compatible public", "https://[::8.8.8.8]/", "embeds an IPv4"},
		{"nat64 public", "https://[64:ff9b::8.8.8.8]/", "embeds an IPv4"},
		{"nat64 local", "https://[64:ff9b:1::808:808]/", "embeds an IPv4"},
		{"6to4", "https://[2002:808:808::1]/", "embeds an IPv4"},
		{"teredo", "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "embeds an IPv4"},
		{"ipv6 link-local", "https://[fe80::1]/", "link-local"},
		{"site-local", "https://[fec0::1]/", "site-local"},
		{"ipv6 multicast", "https://[ff02::1]/", "multicast"},
		{"aws metadata v6", "https://[fd00:ec2::254]/", "AWS"},
		{"ipv6 documentation", "https://[2001:db8::1]/", "documentation"},
		{"ipv6 documentation 3fff", "https://[3fff::1]/", "documentation"},
		{"as112 v6", "https://[2620:4f:8000::1]/", "AS112"},
		{"ietf v6", "https://[2001:100::1]/", "IETF"},
		{"outside 2000::/3", "https://[4000::1]/", "2000::/3"},

		// IDNA tricks
		{"fullwidth name", "https://\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com/", "look-alike"},
		{"fullwidth localhost", "https://\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54/", "look-alike"},
		{"fullwidth ip", "https://\uff11\uff12\uff17.\uff10.\uff10.\uff11/", "maps to the IP address 127.0.0.1"},
		{"ideographic dots ip", "https://127\u30020\u30020\u30021/", "maps to the IP address 127.0.0.1"},
		{"fullwidth dots ip", "https://127\uff0e0\uff0e0\uff0e1/", "maps to the IP address 127.0.0.1"},
		{"ideographic dot", "https://example\u3002com/", "look-alike"},
		{"halfwidth ideographic dot", "https://example\uff61com/", "look-alike"},
		{"enclosed digit", "https://\u2460.example.com/", "look-alike"},
		{"enclosed letters", "https://\u24db\u24de\u24d2\u24d0\u24db\u24d7\u24de\u24e2\u24e3/", "look-alike"},
		{"kelvin sign", "https://exampl\u212a.com/", "look-alike"},
		{"mathematical letters", "https://\U0001d41e\U0001d431\U0001d41a\U0001d426\U0001d429\U0001d425\U0001d41e.com/", "look-alike"},
		{"superscript digit", "https://a\u00b9.example.com/", "look-alike"},
		{"fraction slash", "https://example.com\u2044evil.test/", "looks like a URL delimiter"},
		{"division slash", "https://example.com\u2215evil.test/", "looks like a URL delimiter"},
		{"ratio colon", "https://example.com\u2236443/", "looks like a URL delimiter"},
		{"one dot leader", "https://example\u2024com/", "looks like a URL delimiter"},
		{"fullwidth slash", "https://example.com\uff0fevil.test/", "not a valid host name"},

		// names always refused
		{"localhost", "https://localhost/", "never allowed"},
		{"localhost port", "https://localhost:8443/hook", "never allowed"},
		{"localhost upper", "https://LOCALHOST/", "never allowed"},
		{"localhost mixed dot", "https://LocalHost./", "never allowed"},
		{"sub localhost", "https://app.localhost/", "never allowed"},
		{"sub localhost upper dot", "https://A.B.LOCALHOST./", "never allowed"},
		{"localhost.localdomain", "https://localhost.localdomain/", "never allowed"},
		{"localhost.localdomain dot", "https://LOCALHOST.LOCALDOMAIN./", "never allowed"},
		{"metadata", "https://metadata/", "never allowed"},
		{"metadata dot", "https://Metadata./", "never allowed"},
		{"gce metadata", "https://metadata.google.internal/computeMetadata/v1/", "never allowed"},
		{"gce metadata upper dot", "https://METADATA.GOOGLE.INTERNAL./", "never allowed"},
		{"instance-data", "https://instance-data/latest/", "never allowed"},
		{"instance-data dot", "https://INSTANCE-DATA./", "never allowed"},
		{"aws metadata name", "https://metadata.amazonaws.com/", "never allowed"},
		{"aws metadata name upper", "https://Metadata.AmazonAWS.com./", "never allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, warns, p := Parse(tt.raw)
			if p == nil {
				t.Fatalf("Parse(%q) = %v, %q; want a refusal", tt.raw, u, warns)
			}
			if p.Code != codes.URLUnsafe || p.Field != "webhook_url" || p.Fix == "" {
				t.Errorf("problem = %+v; want code %s on webhook_url with a fix", p, codes.URLUnsafe)
			}
			if !strings.Contains(p.Reason, tt.reason) {
				t.Errorf("reason %q does not mention %q", p.Reason, tt.reason)
			}
			if u != nil || warns != nil {
				t.Errorf("a refusal returned %v, %q", u, warns)
			}
		})
	}
}

// TestParseAccepts lists inputs that pass, with the endpoint they become and
// the warnings they carry.
func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name, raw, endpoint string
		warns               []string
	}{
		{"zapier", "https://hooks.zapier.com/hooks/catch/123456/abcdefg/", "https://hooks.zapier.com/hooks/catch/123456/abcdefg/", nil},
		{"no path", "https://example.com", "https://example.com", nil},
		{"query", "https://example.com/h?token=abc&x=1", "https://example.com/h?token=abc&x=1", nil},
		{"empty query", "https://example.com/?", "https://example.com/?", nil},
		{"uppercase scheme and host", "HTTPS://Hooks.Example.COM/Path", "https://hooks.example.com/Path", nil},
		{"port", "https://example.com:8443/x", "https://example.com:8443/x", nil},
		{"port 1", "https://example.com:1/", "https://example.com:1/", nil},
		{"port 65535", "https://example.com:65535/", "https://example.com:65535/", nil},
		{"port leading zero", "https://example.com:0443/", "https://example.com:443/", nil},
		{"trailing dot", "https://example.com./x", "https://example.com/x", []string{"trailing dot"}},
		{"fragment", "https://example.com/x#frag", "https://example.com/x", []string{"fragment"}},
		{"empty fragment", "https://example.com/x#", "https://example.com/x", []string{"fragment"}},
		{"international", "https://b\u00fccher.example/", "https://xn--bcher-kva.example/", []string{"xn--bcher-kva.example"}},
		{"international upper", "https://B\u00dcCHER.example/", "https://xn--bcher-kva.example/", []string{"xn--bcher-kva.example"}},
		{"a-label", "https://xn--bcher-kva.example/", "https://xn--bcher-kva.example/", nil},
		{"a-label upper", "https://XN--BCHER-KVA.example/", "https://xn--bcher-kva.example/", nil},
		{"japanese", "https://\u4f8b\u3048.\u30c6\u30b9\u30c8/", "https://xn--r8jz45g.xn--zckzah/", []string{"xn--r8jz45g.xn--zckzah"}},
		{"public ipv4", "https://8.8.8.8/hook", "https://8.8.8.8/hook", nil},
		{"public ipv4 port", "https://93.184.215.14:8443/", "https://93.184.215.14:8443/", nil},
		{"private ipv4 passes parse", "https://10.0.0.5/hook", "https://10.0.0.5/hook", nil},
		{"cgnat passes parse", "https://100.64.0.1/", "https://100.64.0.1/", nil},
		{"public ipv6", "https://[2606:4700:4700::1111]/", "https://[2606:4700:4700::1111]/", nil},
		{"public ipv6 long form", "https://[2606:4700:4700:0:0:0:0:1111]:8443/x", "https://[2606:4700:4700::1111]:8443/x", nil},
		{"ula passes parse", "https://[fd12:3456::1]/", "https://[fd12:3456::1]/", nil},
		{"digits inside", "https://1.example.com/", "https://1.example.com/", nil},
		{"hyphens", "https://my-hooks.example-1.com/", "https://my-hooks.example-1.com/", nil},
		{"max label", "https://" + strings.Repeat("a", 63) + ".com/", "https://" + strings.Repeat("a", 63) + ".com/", nil},
		{"localhost lookalike is fine", "https://localhost.example.com/", "https://localhost.example.com/", nil},
		{"escaped path", "https://example.com/a%2Fb%20c", "https://example.com/a%2Fb%20c", nil},
		{"unicode path", "https://example.com/caf\u00e9", "https://example.com/caf%C3%A9", nil},
		{"at in path", "https://example.com/user@x", "https://example.com/user@x", nil},
		{"exactly 2048 bytes", "https://example.com/" + strings.Repeat("a", MaxURLLen-20), "https://example.com/" + strings.Repeat("a", MaxURLLen-20), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, warns, p := Parse(tt.raw)
			if p != nil {
				t.Fatalf("Parse(%q) refused: %s", tt.raw, p.Reason)
			}
			if got := u.String(); got != tt.endpoint {
				t.Errorf("endpoint = %q, want %q", got, tt.endpoint)
			}
			if u.Fragment != "" || u.User != nil || u.Scheme != "https" {
				t.Errorf("endpoint %#v keeps a fragment, userinfo or another scheme", u)
			}
			if len(warns) != len(tt.warns) {
				t.Fatalf("warnings = %q, want %d mentioning %q", warns, len(tt.warns), tt.warns)
			}
			for i, w := range tt.warns {
				if !strings.Contains(warns[i], w) {
					t.Errorf("warning %q does not mention %q", warns[i], w)
				}
			}
		})
	}
}

// TestParseRefusalAllocs keeps the refusal fast path cheap. AllocsPerRun
// counts the whole process's allocations, so enough runs are averaged that
// goroutines left by earlier tests (closing TLS servers) cannot add one.
func TestParseRefusalAllocs(t *testing.T) {
	for _, raw := range []string{"http://example.com/", "https://user@example.com/", strings.Repeat("a", 3000), "https://exa mple.com/"} {
		n := testing.AllocsPerRun(5000, func() { Parse(raw) })
		if n > 3 {
			t.Errorf("Parse(%.20q) allocates %v times", raw, n)
		}
	}
}

// TestLongInternationalNameWithinLimitAfterIDNA: the 253-byte limit is on
// the name as looked up (xn-- form), not on the UTF-8 typed, which can be
// longer.
func TestLongInternationalNameWithinLimitAfterIDNA(t *testing.T) {
	label := strings.Repeat("例", 14) // 42 bytes typed
	host := strings.TrimSuffix(strings.Repeat(label+".", 6), ".") + ".example"
	if len(host) <= maxHostLen {
		t.Fatalf("precondition: typed host is only %d bytes", len(host))
	}
	_, _, p := Parse("https://" + host + "/hook")
	if p != nil {
		t.Fatalf("refused %d-byte typed host: %s", len(host), p.Reason)
	}
	u, _, _ := Parse("https://" + host + "/hook")
	if n := len(u.Hostname()); n > maxHostLen {
		t.Fatalf("looked-up form is %d bytes", n)
	}
}
