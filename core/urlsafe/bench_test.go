package urlsafe

import (
	"context"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"
)

// typical are URLs shaped like the ones people paste.
var typical = []string{
	"https://hooks.zapier.com/hooks/catch/123456/abcdefg/",
	"https://hook.eu1.make.com/abcdefghijklmnopqrstuvwxyz123456",
	"https://n8n.example.com/webhook/6f1c2a3b-1111-2222-3333-444455556666",
	"https://receiver.example.com:8443/ingest?source=webriskops&v=1",
}

func BenchmarkURLParse(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		url.Parse(typical[i%len(typical)])
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Parse(typical[i%len(typical)])
	}
}

func BenchmarkParseRefusal(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Parse("http://hooks.example.com/hook")
	}
}

func BenchmarkCheckLiteral(b *testing.B) {
	b.ReportAllocs()
	ctx := context.Background()
	for b.Loop() {
		Check(ctx, "https://93.184.215.14:8443/hooks/catch/123456/abcdefghijk", Policy{}, nil)
	}
}

func BenchmarkCheckStatic(b *testing.B) {
	b.ReportAllocs()
	ctx := context.Background()
	r := answers("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c")
	for i := 0; b.Loop(); i++ {
		Check(ctx, typical[i%len(typical)], Policy{}, r)
	}
}

func BenchmarkRedact(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Redact(typical[i%len(typical)])
	}
}

// corpus is 50 inputs shaped like what people paste and what the fuzz
// corpus holds: 20 accepted (provider hooks, ports, queries, IP literals,
// IDN) and 30 refused (scheme, credentials, blocked and private
// literals, odd IPv4 forms, bad characters, ports, names, a name that
// resolves to a private address).
var corpus = []string{
	// accepted
	"https://hooks.zapier.com/hooks/catch/123456/abcdefg/",
	"https://hooks.zapier.com/hooks/catch/9876543/zyxw321/",
	"https://hook.eu1.make.com/abcdefghijklmnopqrstuvwxyz123456",
	"https://hook.us1.make.com/0123456789abcdefghijklmnopqrstuv",
	"https://hook.eu2.make.com/k3j4h5g6f7d8s9a0q1w2e3r4t5y6u7i8",
	"https://n8n.example.com/webhook/6f1c2a3b-1111-2222-3333-444455556666",
	"https://automation.example.org/webhook/ticket-intake",
	"https://ingest.example.net/v2/webriskops/tickets",
	"https://receiver.example.com:8443/ingest?source=webriskops&v=1",
	"https://receiver.example.com/ingest#section",
	"https://RECEIVER.Example.COM/Ingest",
	"https://receiver.example.com./ingest",
	"https://93.184.215.14:8443/hooks/catch/123456/abcdefghijk",
	"https://8.8.8.8/hook",
	"https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/hook",
	"https://xn--bcher-kva.example/hook",
	"https://bücher.example/hook",
	"https://a.b.c.d.example.net/very/long/path/with/many/segments/and/a/token/abcdef0123456789",
	"https://hooks.example.com/hook?token=abc&x=%20y",
	"https://api.example.io:443/v1/events",
	// refused
	"http://hooks.example.com/hook",
	"ftp://hooks.example.com/hook",
	"javascript:alert(1)",
	"hooks.zapier.com/hooks/catch/123456/abcdefg/",
	"https:/hooks.example.com/hook",
	"https://user:pass@hooks.example.com/hook",
	"https://@hooks.example.com/hook",
	"https://127.0.0.1/hook",
	"https://127.1/hook",
	"https://2130706433/hook",
	"https://0x7f000001/hook",
	"https://0177.0.0.1/hook",
	"https://169.254.169.254/latest/meta-data/",
	"https://100.100.100.200/hook",
	"https://10.0.0.5/hook",
	"https://192.168.1.10:8443/hook",
	"https://[::1]/hook",
	"https://[fe80::1%25eth0]/hook",
	"https://[::ffff:127.0.0.1]/hook",
	"https://[127.0.0.1]/hook",
	"https://localhost/hook",
	"https://metadata.google.internal/computeMetadata/v1/",
	"https://hooks.example.com:0/hook",
	"https://hooks.example.com:99999/hook",
	"https://n8n.corp.example/webhook/5f0c7a8e-ticket-intake", // resolves to a private address
	"https://hooks.example.com/ho ok",
	"https://hooks.example.com\\@evil.example/hook",
	"https://hooks.example.com/\x00hook",
	"https://ｅxample.com/hook",
	"",
}

// corpusResolver answers every name without DNS: a public address, and a
// private one for the names under corp.example (refused without approval).
var corpusResolver = resolverFunc(func(_ context.Context, _, host string) ([]netip.Addr, error) {
	if strings.HasSuffix(host, "corp.example") {
		return []netip.Addr{netip.MustParseAddr("10.20.1.5")}, nil
	}
	return []netip.Addr{netip.MustParseAddr("93.184.215.14")}, nil
})

// BenchmarkCorpusURLParse is the reference: net/url.Parse on the corpus,
// one input per op.
func BenchmarkCorpusURLParse(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		url.Parse(corpus[i%len(corpus)])
	}
}

// BenchmarkCorpusCheck is the safety check of one corpus input per op:
// parse policy, then address policy on the resolver's answer (no DNS).
func BenchmarkCorpusCheck(b *testing.B) {
	b.ReportAllocs()
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		Check(ctx, corpus[i%len(corpus)], Policy{}, corpusResolver)
	}
}

// BenchmarkCorpusParse is the parse-time policy alone (what the wizard
// runs on every edit of the URL field) on one corpus input per op.
func BenchmarkCorpusParse(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Parse(corpus[i%len(corpus)])
	}
}

// BenchmarkCorpusVsURLParse times Check, Parse and url.Parse over the
// whole corpus in turns, so the ratios hold under any machine load:
// x-url.Parse is Check's time over url.Parse's (the budget is 10 or
// less), parse-x-url.Parse the same for Parse. Of the parse-refusals
// (inputs Parse refuses; the others are refused for their address, after
// the resolver), refusals-no-extra-allocs allocate no more than url.Parse
// does on the same input (the budget: zero beyond parsing where
// practical), and max-extra-allocs is the most any refusal allocates
// beyond it. ns/op is Check per input.
func BenchmarkCorpusVsURLParse(b *testing.B) {
	ctx := context.Background()
	var tCheck, tParse, tURL time.Duration
	rounds := 0
	for b.Loop() {
		start := time.Now()
		for range 20 {
			for _, raw := range corpus {
				url.Parse(raw)
			}
		}
		t1 := time.Now()
		for range 20 {
			for _, raw := range corpus {
				Check(ctx, raw, Policy{}, corpusResolver)
			}
		}
		t2 := time.Now()
		for range 20 {
			for _, raw := range corpus {
				Parse(raw)
			}
		}
		t3 := time.Now()
		tURL, tCheck, tParse = tURL+t1.Sub(start), tCheck+t2.Sub(t1), tParse+t3.Sub(t2)
		rounds += 20
	}
	refused, free, most := 0, 0, 0.0
	for _, raw := range corpus {
		if _, _, p := Parse(raw); p == nil {
			continue
		}
		refused++
		extra := testing.AllocsPerRun(20, func() { Parse(raw) }) - testing.AllocsPerRun(20, func() { url.Parse(raw) })
		if extra <= 0 {
			free++
		}
		most = max(most, extra)
	}
	per := float64(rounds * len(corpus))
	b.ReportMetric(float64(tCheck.Nanoseconds())/per, "ns/op")
	b.ReportMetric(float64(tURL.Nanoseconds())/per, "ns/url.Parse")
	b.ReportMetric(float64(tParse.Nanoseconds())/per, "ns/Parse")
	b.ReportMetric(float64(tCheck)/float64(tURL), "x-url.Parse")
	b.ReportMetric(float64(tParse)/float64(tURL), "parse-x-url.Parse")
	b.ReportMetric(float64(refused), "parse-refusals")
	b.ReportMetric(float64(free), "refusals-no-extra-allocs")
	b.ReportMetric(most, "max-extra-allocs")
}

// TestCorpusMix keeps the corpus what its comment says: 20 accepted, 30
// refused.
func TestCorpusMix(t *testing.T) {
	safe := 0
	for _, raw := range corpus {
		if Check(context.Background(), raw, Policy{}, corpusResolver).Safe {
			safe++
		}
	}
	if len(corpus) != 50 || safe != 20 {
		t.Errorf("%d inputs, %d accepted; want 50 and 20", len(corpus), safe)
	}
}
