package delivery

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// Limits of one attempt (docs/delivery.md).
const (
	// MaxResponseBody is how much of any answer is read: enough for the
	// receiver's reason, never enough to exhaust memory.
	MaxResponseBody = 64 << 10
	// DefaultConnectTimeout bounds each TCP connect.
	DefaultConnectTimeout = 5 * time.Second
	// DefaultAttemptTimeout bounds a whole attempt: connect, TLS, request
	// and the (capped) answer.
	DefaultAttemptTimeout = 15 * time.Second
)

// Endpoint is where one target's deliveries go and what signs them.
type Endpoint struct {
	// URL is the full endpoint. It is a credential (Zapier, Make and n8n put
	// a token in the path): show it only through Redacted.
	URL *url.URL
	// Client reaches only URL's host: the pinned client of urlsafe.NewClient
	// or the loopback-only urlsafe.NewRehearsalClient. It never follows
	// redirects.
	Client *http.Client
	// Secrets returns the secrets valid at now, newest first; all of them
	// sign during a rotation grace.
	Secrets func(ctx context.Context, now time.Time) ([]string, error)
	// Pacer spaces attempts to the receiver; nil sends unpaced.
	Pacer *Pacer
	// Rehearsal marks a receiver on this machine reached with --to.
	Rehearsal bool
	// StandardWebhooks adds the Standard Webhooks headers to every attempt.
	StandardWebhooks bool
	// Edge returns the edge authentication header every attempt carries;
	// nil (or a nil header) sends none. See StoredEdge.
	Edge func(ctx context.Context, now time.Time) (*EdgeHeader, error)
}

// Redacted is the endpoint fit to show and log.
func (e *Endpoint) Redacted() string { return urlsafe.Redact(e.URL.String()) }

// Sender makes single attempts: sign, send, read at most MaxResponseBody of
// the answer, classify. Retrying is its callers' business (Runner, Deliver).
type Sender struct {
	// AttemptTimeout bounds each attempt; zero means DefaultAttemptTimeout.
	AttemptTimeout time.Duration
	// Now is the clock that stamps attempts; nil means time.Now.
	Now func() time.Time
}

func (s *Sender) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Sender) timeout() time.Duration {
	if s.AttemptTimeout <= 0 {
		return DefaultAttemptTimeout
	}
	return s.AttemptTimeout
}

// NewRequest builds one signed attempt of body: a POST to u with the eight
// delivery headers, a new timestamp (now) and nonce, and one signature per
// secret. The dry run prints exactly this request.
func NewRequest(ctx context.Context, u *url.URL, secrets []string, key string, body []byte, now time.Time) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, codes.Errorf(codes.Internal, "build the request: %v", causeText(err))
	}
	if err := signing.SignRequest(req, secrets, key, now, body); err != nil {
		return nil, err
	}
	return req, nil
}

// Attempt sends body once to ep with a fresh signature and classifies the
// answer. err is set only for a local failure that is no attempt at all
// (the secrets could not be read, say); a target without any valid secret
// is a blocked result (generic_webhook_secret_missing), not an error.
func (s *Sender) Attempt(ctx context.Context, ep *Endpoint, key string, body []byte) (Result, Attempt, error) {
	start := s.now()
	att := Attempt{At: start}
	secrets, err := ep.Secrets(ctx, start)
	if err != nil {
		ce := codes.AsError(err)
		if ce.Code != codes.SecretMissing {
			return Result{}, att, err
		}
		secrets = nil
	}
	if len(secrets) == 0 {
		r := Result{Code: codes.SecretMissing, Reason: "the target has no valid signing secret, so nothing can be signed"}
		return r, s.finish(att, r), nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	edge, err := ep.edge(ctx, start)
	if err != nil {
		return Result{}, att, err
	}
	req, err := ep.request(ctx, secrets, key, body, start, edge)
	if err != nil {
		return Result{}, att, err
	}
	resp, err := ep.Client.Do(req)
	if err != nil {
		r := ClassifyError(err)
		return r, s.finish(att, r), nil
	}
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBody))
	resp.Body.Close()
	r := Classify(resp, scrubbedAnswer(answer, edge), s.now())
	att.ServerDate, _ = http.ParseTime(resp.Header.Get("Date")) // zero when absent or malformed
	return r, s.finish(att, r), nil
}

// finish fills the attempt record from its result.
func (s *Sender) finish(a Attempt, r Result) Attempt {
	a.HTTPStatus, a.Code, a.Reason = r.HTTPStatus, string(r.Code), r.Reason
	a.Duration = s.now().Sub(a.At)
	return a
}
