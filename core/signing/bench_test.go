package signing

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
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

// BenchmarkSignVsOpenSSL1MiB puts Sign next to `openssl speed -hmac sha256`
// on 1 MiB bodies, in adjacent turns of one second each (openssl, then
// Sign), so both see the same machine load. x-openssl is the median over
// the turns of Sign's throughput over openssl's in the same turn (the
// budget is 0.9 or more); MB/s-go and MB/s-openssl are the medians of each.
// It runs five turns with BENCH_FULL set, one otherwise, whatever b.N is,
// and is skipped when openssl is not installed.
func BenchmarkSignVsOpenSSL1MiB(b *testing.B) {
	if _, err := exec.LookPath("openssl"); err != nil {
		b.Skip("openssl is not installed; the reference is skipped")
	}
	const size = 1 << 20
	body := bytes.Repeat([]byte("a"), size)
	secrets := []string{docNewSecret}
	turns := 1
	if os.Getenv("BENCH_FULL") != "" {
		turns = 5
	}
	var goRates, sslRates, ratios []float64
	var goTime time.Duration
	signed := 0
	for range turns {
		out, err := exec.Command("openssl", "speed", "-mr", "-seconds", "1", "-bytes", strconv.Itoa(size), "-hmac", "sha256").Output()
		if err != nil {
			b.Fatalf("openssl speed: %v", err)
		}
		ssl, ok := openSSLRate(string(out))
		if !ok {
			b.Fatalf("openssl speed printed no +F line:\n%s", out)
		}
		start := time.Now()
		n := 0
		for time.Since(start) < time.Second {
			Sign(secrets, docTimestamp, docNonce, body)
			n++
		}
		took := time.Since(start)
		goTime += took
		signed += n
		rate := float64(n*size) / took.Seconds()
		goRates, sslRates, ratios = append(goRates, rate), append(sslRates, ssl), append(ratios, rate/ssl)
	}
	b.ReportMetric(float64(goTime.Nanoseconds())/float64(signed), "ns/op") // one 1 MiB signature
	b.ReportMetric(median(goRates)/1e6, "MB/s-go")
	b.ReportMetric(median(sslRates)/1e6, "MB/s-openssl")
	b.ReportMetric(median(ratios), "x-openssl")
}

func median(vs []float64) float64 {
	s := slices.Clone(vs)
	slices.Sort(s)
	return s[len(s)/2]
}

// openSSLRate reads bytes per second from `openssl speed -mr` output:
// "+F:9:hmac(sha256):1759510528.00".
func openSSLRate(out string) (float64, bool) {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Split(strings.TrimSpace(line), ":")
		if len(f) == 4 && f[0] == "+F" && strings.Contains(f[2], "sha256") {
			v, err := strconv.ParseFloat(f[3], 64)
			return v, err == nil
		}
	}
	return 0, false
}
