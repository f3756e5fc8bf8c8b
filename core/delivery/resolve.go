package delivery

import (
	"context"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// Settings are the delivery settings a flow reads (TestSend, Export, the
// runs of deliveries drain and retry). The command layer resolves them
// (flag > env > config file > default) and hands them over whole.
type Settings struct {
	// ConnectTimeout and AttemptTimeout bound one attempt; zero means the
	// defaults (ClientOptions).
	ConnectTimeout, AttemptTimeout time.Duration
	// MaxBackoff caps the backoff between attempts; zero means
	// DefaultMaxBackoff.
	MaxBackoff time.Duration
	// RateLimit is delivery.rate_limit: the pace of a target without a rate
	// limit of its own. Zero leaves the provider's default.
	RateLimit core.RateLimit
	// Now is the clock of the flow.
	Now func() time.Time
	// Connections bounds the connections an endpoint's client holds at
	// once (urlsafe.ClientOptions.MaxConns); zero means no bound. A run
	// sets it to its workers (forWorkers).
	Connections int
}

// ClientOptions are the timeouts of an attempt and the bound on
// connections, with no extra roots.
func (s Settings) ClientOptions() urlsafe.ClientOptions {
	o := ClientOptions(s.ConnectTimeout, s.AttemptTimeout, nil)
	o.MaxConns = s.Connections
	return o
}

// forWorkers is s for a run of workers (zero: DefaultWorkers): one
// connection per worker, so every endpoint of the run handshakes at most
// that many times however fast its answers come back.
func (s Settings) forWorkers(workers int) Settings {
	if workers <= 0 {
		workers = DefaultWorkers
	}
	s.Connections = workers
	return s
}

// Sender makes attempts with the configured attempt timeout.
func (s Settings) Sender() *Sender {
	return &Sender{AttemptTimeout: s.AttemptTimeout, Now: s.Now}
}

// WithRate gives t the delivery.rate_limit setting as its rate limit when
// it has none of its own; a target's own limit (add --rate-limit, apply
// rate_limit) always wins.
func (s Settings) WithRate(t core.Target) core.Target {
	if t.RateLimit.IsZero() {
		t.RateLimit = s.RateLimit
	}
	return t
}

// Rehearsal is a receiver on this machine that a flow sends to instead of
// the target's endpoint (--to, --ca-file), leaving the target unchanged.
// A nil Rehearsal means none.
type Rehearsal interface {
	// Endpoint returns the rehearsal endpoint paced at rate. It is asked
	// only when the flow needs it, so reading the CA file comes after the
	// refusals that come first.
	Endpoint(opts urlsafe.ClientOptions, rate core.RateLimit) (*Endpoint, error)
}

// Signers is where the endpoints of a saved target read what they send with:
// its signing secrets, its edge header and the pace it shares across
// processes. The store implements it.
type Signers interface {
	Credentials
	EdgeSource
	PaceBook
}

// EndpointFor returns where t's deliveries go: the rehearsal receiver when
// reh is given, otherwise t's endpoint after a fresh URL safety check (DNS
// through r). Either way the target's stored secrets sign, its extra
// headers go along (WithHeaders), and the pace is t's rate limit, else
// delivery.rate_limit, else its provider's default.
func (s Settings) EndpointFor(ctx context.Context, src Signers, t core.Target, r urlsafe.Resolver, reh Rehearsal) (*Endpoint, error) {
	t = s.WithRate(t)
	var ep *Endpoint
	var err error
	if reh != nil {
		ep, err = reh.Endpoint(s.ClientOptions(), t.EffectiveRate())
	} else {
		ep, err = TargetEndpoint(ctx, t, r, s.ClientOptions())
	}
	if err != nil {
		return nil, err
	}
	ep.Secrets = StoredSecrets(src, t.ID)
	WithHeaders(ep, src, t)
	SharePace(ep, src, t)
	return ep, nil
}

// WithHeaders gives ep the target's extra headers: the Standard Webhooks
// profile and, when it has one, the stored edge header.
func WithHeaders(ep *Endpoint, edges EdgeSource, t core.Target) {
	ep.StandardWebhooks = t.StandardWebhooks
	if t.EdgeAuth != nil {
		ep.Edge = StoredEdge(edges, t.ID)
	}
}

// SharePace makes ep's pacer book its starts in book when t's provider
// needs the pace to hold across processes (core.Provider.SharedPace: the
// Zapier recipe), so an export, a cron drain and a test send to one target
// together keep its pace. Other providers pace per process.
func SharePace(ep *Endpoint, book PaceBook, t core.Target) {
	if SharesPace(t) && book != nil {
		ep.Pacer.Share(book, t.ID)
	}
}

// SharesPace reports whether t's provider needs its pace across processes.
func SharesPace(t core.Target) bool {
	p, ok := core.LookupProvider(t.ProviderKey)
	return ok && p.SharedPace
}
