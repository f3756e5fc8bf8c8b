package delivery

import (
	"context"
	"crypto/x509"
	"sync"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// Credentials is where a target's signing secrets come from; the store
// implements it.
type Credentials interface {
	Credentials(ctx context.Context, targetID string, now time.Time) ([]core.Credential, error)
}

// secretsTTL is how long StoredSecrets trusts what it read: long enough that
// a burst of attempts costs one decryption, short enough that a rotation
// reaches a long drain within a minute.
const secretsTTL = 30 * time.Second

// StoredSecrets returns an Endpoint.Secrets that reads targetID's
// credentials from src, at most every 30 seconds, and hands out those valid
// at the attempt's time, newest first: a secret whose rotation grace ends
// mid-run stops signing at once.
func StoredSecrets(src Credentials, targetID string) func(ctx context.Context, now time.Time) ([]string, error) {
	var (
		mu      sync.Mutex
		creds   []core.Credential
		readAt  time.Time
		fetched bool
	)
	return func(ctx context.Context, now time.Time) ([]string, error) {
		mu.Lock()
		defer mu.Unlock()
		if !fetched || now.Sub(readAt) >= secretsTTL || now.Before(readAt) {
			cs, err := src.Credentials(ctx, targetID, now)
			if err != nil {
				return nil, err
			}
			creds, readAt, fetched = cs, now, true
		}
		out := make([]string, 0, len(creds))
		for _, c := range creds {
			if c.SecretValid(now) {
				out = append(out, c.Secret)
			}
		}
		return out, nil
	}
}

// StaticSecrets returns an Endpoint.Secrets that always hands out secrets,
// for ad-hoc sends with --secret-file.
func StaticSecrets(secrets ...string) func(context.Context, time.Time) ([]string, error) {
	return func(context.Context, time.Time) ([]string, error) { return secrets, nil }
}

// ClientOptions returns the client options of an attempt: connect and whole
// attempt timeouts (zero means the defaults) and optional roots.
func ClientOptions(connect, attempt time.Duration, roots *x509.CertPool) urlsafe.ClientOptions {
	if connect <= 0 {
		connect = DefaultConnectTimeout
	}
	if attempt <= 0 {
		attempt = DefaultAttemptTimeout
	}
	return urlsafe.ClientOptions{ConnectTimeout: connect, Timeout: attempt, RootCAs: roots}
}

// TargetEndpoint checks t's URL now (urlsafe.Check with t's policy, DNS
// through r) and returns an endpoint whose client dials only the addresses
// judged safe, paced at t's rate; the caller sets its Secrets (usually
// StoredSecrets). Callers check once per run, not per attempt; every
// connection is still judged again at dial time.
//
// A refused URL is a PROVIDER_BASE_URL_BLOCKED error with the verdict's
// reason and fix. A lookup that failed (no answer, timeout, a --resolve
// entry for another port) keeps the verdict's generic_webhook_host_unresolved,
// the code check-url and the wizard give: DNS trouble passes, so an export
// retries it rather than blocking (endpointResult).
func TargetEndpoint(ctx context.Context, t core.Target, r urlsafe.Resolver, opts urlsafe.ClientOptions) (*Endpoint, error) {
	v := core.CheckEndpoint(ctx, t, r)
	if !v.Safe {
		if v.Code == string(codes.HostUnresolved) {
			return nil, codes.Errorf(codes.HostUnresolved, "%s", v.Reason).WithFix(v.Fix)
		}
		fix := v.Fix
		if fix == "" {
			fix = codes.BaseURLBlocked.Fix()
		}
		return nil, codes.Errorf(codes.BaseURLBlocked, "%s", v.Reason).WithFix(fix)
	}
	client, err := urlsafe.NewClient(v, core.URLPolicy(t), opts)
	if err != nil {
		return nil, err
	}
	return &Endpoint{URL: v.Endpoint, Client: client, Pacer: NewPacer(t.EffectiveRate().PerSecond())}, nil
}

// RehearsalEndpoint returns the endpoint of a rehearsal receiver on this
// machine (--to, loopback IP literals only; --ca-file roots); the caller
// sets its Secrets. The rehearsal is paced like the target, so it behaves
// as the real export would.
func RehearsalEndpoint(to string, roots *x509.CertPool, opts urlsafe.ClientOptions, rate core.RateLimit) (*Endpoint, error) {
	client, u, err := urlsafe.NewRehearsalClient(to, roots, opts)
	if err != nil {
		return nil, err
	}
	return &Endpoint{URL: u, Client: client, Pacer: NewPacer(rate.PerSecond()), Rehearsal: true}, nil
}
