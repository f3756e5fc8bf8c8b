package store

import (
	"fmt"
	"testing"
)

// BenchmarkAddAudit: one audit event in its own transaction, linked into
// the chain (an extra SELECT of the previous hash and an UPDATE).
func BenchmarkAddAudit(b *testing.B) {
	s, err := Open(b.TempDir()+"/db", "")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.AddAudit(ctx, "bench", "note", "hook", fmt.Sprint("event ", i)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyAudit10k: audit verify over 10,000 events.
func BenchmarkVerifyAudit10k(b *testing.B) {
	s, err := Open(b.TempDir()+"/db", "")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for i := 0; i < 10000; i++ {
		if err := s.AddAudit(ctx, "bench", "note", "hook", fmt.Sprint("event ", i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, err := s.VerifyAudit(ctx, "")
		if err != nil || !c.OK() {
			b.Fatal(c, err)
		}
	}
}
