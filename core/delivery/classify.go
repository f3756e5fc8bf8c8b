package delivery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/sanitize"
)

// Result is the classified outcome of one attempt.
type Result struct {
	Delivered  bool
	Retry      bool
	HTTPStatus int
	Code       codes.Code // empty when delivered
	Reason     string
	// RetryAfter is the receiver's Retry-After, when it sent one.
	RetryAfter time.Duration
}

// Final reports whether the attempt ends the delivery either way.
func (r Result) Final() bool { return r.Delivered || !r.Retry }

// Status is the outbox status a final result leaves the delivery in:
// safety refusals are blocked, other final failures failed.
func (r Result) Status() Status {
	switch {
	case r.Delivered:
		return StatusDelivered
	case r.Code == codes.RedirectBlocked || r.Code == codes.BaseURLBlocked:
		return StatusBlocked
	}
	return StatusFailed
}

// Classify turns an HTTP response into a Result, following the delivery
// spec: 2xx delivered; 3xx redirect blocked; 401/403 naming
// WEBHOOK_SIGNATURE_INVALID that code, other 401/403 PROVIDER_AUTH_REQUIRED;
// 410 gone; 408, 425, 429 and 5xx retried; other 4xx failed. body is at
// most the first 64 KiB of the response.
func Classify(resp *http.Response, body []byte, now time.Time) Result {
	st := resp.StatusCode
	r := Result{HTTPStatus: st}
	switch {
	case st >= 200 && st < 300:
		r.Delivered = true
		r.Reason = fmt.Sprintf("receiver answered %d", st)
	case st >= 300 && st < 400:
		r.Code = codes.RedirectBlocked
		r.Reason = fmt.Sprintf("receiver answered %d redirecting to %s; redirects are never followed", st, locationHost(resp))
	case st == http.StatusUnauthorized || st == http.StatusForbidden:
		if namesSignatureInvalid(resp.Header, body) {
			r.Code = codes.SignatureInvalid
			r.Reason = fmt.Sprintf("receiver answered %d %s: it rejected the signature%s", st, string(codes.SignatureInvalid), receiverReason(body))
		} else {
			r.Code = codes.AuthRequired
			r.Reason = fmt.Sprintf("receiver answered %d: it refused the request as unauthorized%s", st, receiverReason(body))
		}
	case st == http.StatusGone:
		r.Code = codes.EndpointGone
		r.Reason = "receiver answered 410 Gone: the hook no longer exists"
	case st == http.StatusRequestTimeout || st == http.StatusTooEarly || st == http.StatusTooManyRequests || st >= 500:
		r.Retry = true
		r.Code = codes.DeliveryFailed
		r.Reason = fmt.Sprintf("receiver answered %d", st)
		r.RetryAfter, _ = RetryAfter(resp.Header, now)
	default:
		r.Code = codes.DeliveryRejected
		r.Reason = fmt.Sprintf("receiver answered %d%s", st, receiverReason(body))
	}
	return r
}

// ClassifyError turns a transport error into a Result: a dial-time safety
// refusal is final; connection errors and timeouts are retried.
func ClassifyError(err error) Result {
	var ce *codes.Error
	if errors.As(err, &ce) && (ce.Code == codes.BaseURLBlocked || ce.Code == codes.URLUnsafe) {
		return Result{Code: codes.BaseURLBlocked, Reason: ce.Reason}
	}
	reason := "connection failed"
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		reason = "the attempt timed out"
	case errors.As(err, new(*net.OpError)):
		reason = "could not connect: " + opErrorText(err)
	}
	return Result{Retry: true, Code: codes.DeliveryFailed, Reason: reason}
}

func opErrorText(err error) string {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err.Error()
	}
	return err.Error()
}

// namesSignatureInvalid looks for the code in the headers or the body.
func namesSignatureInvalid(h http.Header, body []byte) bool {
	code := string(codes.SignatureInvalid)
	for _, vs := range h {
		for _, v := range vs {
			if strings.Contains(v, code) {
				return true
			}
		}
	}
	return bytes.Contains(body, []byte(code))
}

// receiverReason quotes the start of the receiver's answer, neutralised,
// so an operator sees what the receiver said without terminal tricks.
func receiverReason(body []byte) string {
	s := strings.TrimSpace(string(body))
	if s == "" {
		return ""
	}
	return " (" + sanitize.Truncate(sanitize.Line(s), 200) + ")"
}

// locationHost is the redirect target's host, never its path or query,
// which may carry a token.
func locationHost(resp *http.Response) string {
	loc := resp.Header.Get("Location")
	u, err := url.Parse(loc)
	if err != nil || u.Host == "" {
		if loc == "" {
			return "an unnamed location"
		}
		return "a relative location"
	}
	return sanitize.Line(u.Scheme + "://" + u.Host)
}
