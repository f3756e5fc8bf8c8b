package urlsafe

import (
	"context"
	"net/url"
	"testing"
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
