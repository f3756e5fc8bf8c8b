package delivery

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

func TestBackoffDoublesWithJitterAndCap(t *testing.T) {
	for next, want := range map[int]time.Duration{2: time.Second, 3: 2 * time.Second, 4: 4 * time.Second, 8: 64 * time.Second} {
		for i := 0; i < 200; i++ {
			d := Backoff(next, 10*time.Minute)
			if d < time.Duration(float64(want)*0.8) || d > time.Duration(float64(want)*1.2) {
				t.Fatalf("Backoff(%d) = %v, want %v ±20%%", next, d, want)
			}
		}
	}
	if d := Backoff(40, 10*time.Minute); d > 10*time.Minute {
		t.Fatalf("Backoff not capped: %v", d)
	}
}

func TestRetryAfterSecondsDateAndClamp(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"5":                             5 * time.Second,
		"0":                             time.Second,
		"99999":                         time.Hour,
		"Thu, 26 Nov 2026 12:00:30 GMT": 30 * time.Second,
		"Thu, 26 Nov 2026 11:00:00 GMT": time.Second,
		"Fri, 27 Nov 2026 12:00:00 GMT": time.Hour,
	}
	for v, want := range cases {
		d, ok := RetryAfter(http.Header{"Retry-After": {v}}, now)
		if !ok || d != want {
			t.Errorf("RetryAfter(%q) = %v %v, want %v", v, d, ok, want)
		}
	}
	for _, bad := range []string{"", "soon", "-3"} {
		if _, ok := RetryAfter(http.Header{"Retry-After": {bad}}, now); ok {
			t.Errorf("RetryAfter(%q) accepted", bad)
		}
	}
}

func TestClassify(t *testing.T) {
	now := time.Now()
	resp := func(st int, h http.Header) *http.Response {
		if h == nil {
			h = http.Header{}
		}
		return &http.Response{StatusCode: st, Header: h}
	}
	cases := []struct {
		st        int
		h         http.Header
		body      string
		delivered bool
		retry     bool
		code      codes.Code
		status    Status
	}{
		{200, nil, "", true, false, "", StatusDelivered},
		{204, nil, "", true, false, "", StatusDelivered},
		{302, http.Header{"Location": {"https://evil.example/steal?token=abc"}}, "", false, false, codes.RedirectBlocked, StatusBlocked},
		{401, nil, `{"error":"WEBHOOK_SIGNATURE_INVALID"}`, false, false, codes.SignatureInvalid, StatusFailed},
		{403, http.Header{"X-Error": {"WEBHOOK_SIGNATURE_INVALID"}}, "", false, false, codes.SignatureInvalid, StatusFailed},
		{401, nil, "nope", false, false, codes.AuthRequired, StatusFailed},
		{410, nil, "", false, false, codes.EndpointGone, StatusFailed},
		{408, nil, "", false, true, codes.DeliveryFailed, StatusFailed},
		{425, nil, "", false, true, codes.DeliveryFailed, StatusFailed},
		{429, http.Header{"Retry-After": {"7"}}, "", false, true, codes.DeliveryFailed, StatusFailed},
		{503, nil, "", false, true, codes.DeliveryFailed, StatusFailed},
		{400, nil, "bad", false, false, codes.DeliveryRejected, StatusFailed},
		{404, nil, "", false, false, codes.DeliveryRejected, StatusFailed},
	}
	for _, c := range cases {
		r := Classify(resp(c.st, c.h), []byte(c.body), now)
		if r.Delivered != c.delivered || r.Retry != c.retry || r.Code != c.code || r.Status() != c.status {
			t.Errorf("%d: got %+v status %s", c.st, r, r.Status())
		}
	}
	// The reason names the redirect target redacted (urlsafe.RedirectError):
	// its host stays, a token in its path or query does not.
	r := Classify(resp(302, http.Header{"Location": {"https://evil.example/steal/0123456789abcdef?token=abcdefghijk"}}), nil, now)
	if want := "https://evil.example/"; !strings.Contains(r.Reason, want) ||
		strings.Contains(r.Reason, "0123456789abcdef") || strings.Contains(r.Reason, "abcdefghijk") {
		t.Errorf("redirect reason %q", r.Reason)
	}
	if r := Classify(resp(429, http.Header{"Retry-After": {"7"}}), nil, now); r.RetryAfter != 7*time.Second {
		t.Errorf("429 RetryAfter = %v", r.RetryAfter)
	}
}

func TestClassifyError(t *testing.T) {
	blocked := codes.Errorf(codes.BaseURLBlocked, "dial to 127.0.0.1 refused")
	if r := ClassifyError(&net.OpError{Op: "dial", Err: blocked}); r.Retry || r.Code != codes.BaseURLBlocked || r.Status() != StatusBlocked {
		t.Errorf("blocked dial: %+v", r)
	}
	if r := ClassifyError(context.DeadlineExceeded); !r.Retry || r.Code != codes.DeliveryFailed {
		t.Errorf("timeout: %+v", r)
	}
	if r := ClassifyError(&net.OpError{Op: "dial", Err: errors.New("connection refused")}); !r.Retry {
		t.Errorf("refused: %+v", r)
	}
}

func TestPacerSpacesAndSlowsOn429(t *testing.T) {
	p := NewPacer(100)
	start := time.Now()
	for i := 0; i < 21; i++ {
		if err := p.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el < 190*time.Millisecond {
		t.Fatalf("21 starts at 100/s took %v, want ≥ 200ms", el)
	}
	p.Throttled(50 * time.Millisecond)
	if p.Rate() != 50 {
		t.Fatalf("rate after 429 = %v", p.Rate())
	}
	before := time.Now()
	p.Wait(context.Background())
	if time.Since(before) < 40*time.Millisecond {
		t.Fatal("Wait did not honour the Retry-After pause")
	}
	for i := 0; i < 40; i++ {
		p.Delivered()
	}
	if p.Rate() != 100 {
		t.Fatalf("rate did not recover to the limit: %v", p.Rate())
	}
	if NewPacer(0).Wait(context.Background()) != nil {
		t.Fatal("unpaced Wait failed")
	}
}
