package signing

import (
	"bytes"
	"net/http"
	"testing"
	"time"
)

func benchSign(b *testing.B, size int) {
	body := bytes.Repeat([]byte("a"), size)
	secrets := []string{docNewSecret}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		Sign(secrets, docTimestamp, docNonce, body)
	}
}

func BenchmarkSign1KiB(b *testing.B)  { benchSign(b, 1<<10) }
func BenchmarkSign64KiB(b *testing.B) { benchSign(b, 64<<10) }
func BenchmarkSign1MiB(b *testing.B)  { benchSign(b, 1<<20) }

// BenchmarkSignExport4KiB is one attempt of a typical export: a new nonce,
// the signature and all eight headers on a fresh header map.
func BenchmarkSignExport4KiB(b *testing.B) {
	body := bytes.Repeat([]byte("a"), 4<<10)
	secrets := []string{docNewSecret}
	now := time.Unix(docTimestamp, 0)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		h := make(http.Header, 8)
		if err := SetHeaders(h, secrets, docKey, now, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify4KiB is a receiver's check of one 4 KiB delivery signed
// during a rotation grace.
func BenchmarkVerify4KiB(b *testing.B) {
	body := bytes.Repeat([]byte("a"), 4<<10)
	secrets := []string{docNewSecret, docOldSecret}
	h := http.Header{}
	setHeaders(h, secrets, docKey, docTimestamp, docNonce, body)
	now := time.Unix(docTimestamp, 0)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Verify(secrets[1:], h, body, now, 0); err != nil {
			b.Fatal(err)
		}
	}
}
