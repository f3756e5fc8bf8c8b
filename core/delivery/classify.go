package delivery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/sanitize"
	"github.com/webriskops/webhook-setup/core/urlsafe"
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
// refusals by safety or readiness are blocked, other final failures failed.
func (r Result) Status() Status {
	switch {
	case r.Delivered:
		return StatusDelivered
	case Blocks(r.Code):
		return StatusBlocked
	}
	return StatusFailed
}

// Fix is what the operator should do about the result: the catalog's fix
// of its code, or "" when delivered.
func (r Result) Fix() string {
	if r.Delivered || r.Code == "" {
		return ""
	}
	return r.Code.Fix()
}

// Blocks reports whether code is a refusal by URL safety or readiness
// (redirect, unsafe address, no signing secret) rather than a failed send:
// such deliveries end blocked, and retrying them changes nothing until the
// target is fixed.
func Blocks(code codes.Code) bool {
	switch code {
	case codes.RedirectBlocked, codes.BaseURLBlocked, codes.URLUnsafe, codes.SecretMissing, codes.TargetNotFound:
		return true
	}
	return false
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
		r.Reason = urlsafe.RedirectError(resp).Reason
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
// refusal is final (PROVIDER_BASE_URL_BLOCKED); connection errors and
// timeouts are retried. The reason never holds the URL: *url.Error's text
// would, and the URL is a credential.
func ClassifyError(err error) Result {
	var ce *codes.Error
	if errors.As(err, &ce) && (ce.Code == codes.BaseURLBlocked || ce.Code == codes.URLUnsafe) {
		return Result{Code: codes.BaseURLBlocked, Reason: ce.Reason}
	}
	var reason string
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		reason = "the attempt timed out"
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		reason = "the receiver closed the connection before answering"
	case errors.As(err, new(*net.OpError)):
		reason = "could not connect: " + opErrorText(err)
	default:
		reason = "connection failed: " + causeText(err)
	}
	return Result{Retry: true, Code: codes.DeliveryFailed, Reason: reason}
}

func opErrorText(err error) string {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return sanitize.Line(oe.Err.Error())
	}
	return causeText(err)
}

// causeText is err's text without *url.Error's "Post URL:" prefix.
func causeText(err error) string {
	for {
		var ue *url.Error
		if !errors.As(err, &ue) || ue.Err == nil {
			break
		}
		err = ue.Err
	}
	return sanitize.Truncate(sanitize.Line(err.Error()), 200)
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
