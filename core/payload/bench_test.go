package payload

import (
	"strings"
	"testing"
)

// BenchmarkBuild4KiB builds and validates a body of about 4 KiB.
func BenchmarkBuild4KiB(b *testing.B) {
	tk := docTicket
	tk.Description = strings.Repeat("d", 3500)
	body, err := Build(docTarget, "webhook", tk, docKey, false, docNow)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(docTarget, "webhook", tk, docKey, false, docNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseTickets reads a stream of 1,000 tickets of about 500 bytes.
func BenchmarkParseTickets(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if err := ParseTickets(&ticketStream{n: 1000}, func(Ticket) error { n++; return nil }); err != nil || n != 1000 {
			b.Fatal(n, err)
		}
	}
}
