package urlsafe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

// Client defaults.
const (
	defaultConnectTimeout = 5 * time.Second
	tlsHandshakeTimeout   = 10 * time.Second
	maxResponseHeader     = 64 << 10
)

// ClientOptions tunes the clients NewClient and NewRehearsalClient build.
type ClientOptions struct {
	// ConnectTimeout bounds each TCP connect; zero means 5 seconds.
	ConnectTimeout time.Duration
	// Timeout bounds a whole request, body included; zero means no limit
	// beyond the request's context.
	Timeout time.Duration
	// RootCAs replaces the system roots, for tests and --ca-file.
	RootCAs *x509.CertPool
	// MaxConns bounds the connections the client holds to its endpoint at
	// once, idle or busy; zero means no bound. A run sets it to its
	// workers: a worker whose next request starts before its last
	// connection is back in the pool then waits the microseconds that
	// takes instead of dialling (and TLS-handshaking) one more.
	MaxConns int
}

// NewClient returns an HTTP client that sends only to v's endpoint and dials
// only v.Pinned, the addresses judged in the same lookup, so a DNS answer
// that changes after the check cannot reach another address. Each dial is
// checked against p again in net.Dialer's Control hook; a refusal there is a
// *codes.Error with code PROVIDER_BASE_URL_BLOCKED. The host name stays in
// SNI and Host, proxy environment variables are ignored, redirects are
// returned rather than followed (see RedirectError), and TLS is 1.2 or newer.
func NewClient(v Verdict, p Policy, opts ClientOptions) (*http.Client, error) {
	if !v.Safe || v.Endpoint == nil || len(v.Pinned) == 0 {
		reason := "the endpoint has not passed URL safety"
		if v.Reason != "" {
			reason += ": " + v.Reason
		}
		return nil, codes.Errorf(codes.BaseURLBlocked, "%s", reason)
	}
	host := strings.ToLower(strings.TrimSuffix(v.Endpoint.Hostname(), "."))
	name := host
	if _, err := netip.ParseAddr(host); err == nil {
		name = "" // IP literals never match host-name allowlist entries
	}
	port, err := endpointPort(v.Endpoint)
	if err != nil {
		return nil, err
	}
	al, _ := parseAllowlist(p.Allowlist)
	check := func(a netip.Addr) error {
		if ok, _, what := p.judge(a, name, &al); !ok {
			return codes.Errorf(codes.BaseURLBlocked, "the connection to %s for %s was refused: it is %s, which this target may not reach", a, host, what)
		}
		return nil
	}
	pinned := make([]netip.Addr, 0, len(v.Pinned))
	for _, a := range v.Pinned {
		a = a.Unmap().WithZone("")
		if err := check(a); err != nil {
			return nil, err
		}
		pinned = append(pinned, a)
	}
	d := &pinnedDialer{host: host, port: port, addrs: pinned, check: check, timeout: opts.ConnectTimeout}
	return newClient(d, opts), nil
}

// NewRehearsalClient returns a client for a rehearsal send to a receiver on
// this machine (--to with --ca-file): to must be an https URL whose host is
// a loopback IP literal (127.0.0.0/8 or [::1]). rootCAs, when not nil,
// replaces opts.RootCAs. The client has the same no-proxy, no-redirect and
// TLS rules as NewClient and dials only that address.
func NewRehearsalClient(to string, rootCAs *x509.CertPool, opts ClientOptions) (*http.Client, *url.URL, error) {
	const fix = "Pass --to https://127.0.0.1:PORT/PATH for a receiver on this machine, with --ca-file for its certificate."
	usage := func(format string, args ...any) (*http.Client, *url.URL, error) {
		return nil, nil, codes.Errorf(codes.Usage, format, args...).WithFix(fix)
	}
	if reason := scanChars(to); reason != "" {
		return usage("--to: %s", strings.Replace(reason, "the URL", "the address", 1))
	}
	u, err := url.Parse(to)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return usage("--to does not parse: %v", err)
	}
	if !strings.EqualFold(u.Scheme, "https") || u.Opaque != "" || u.Host == "" {
		return usage("--to must be an https:// URL, like https://127.0.0.1:8443/hook")
	}
	if u.User != nil {
		return usage("--to must not hold user information (text before @)")
	}
	a, err := netip.ParseAddr(u.Hostname())
	if err != nil || a.Zone() != "" || !(a.Is4() && a.IsLoopback() || a == netip.IPv6Loopback()) {
		return nil, nil, codes.Errorf(codes.URLUnsafe, "--to %s: only loopback IP addresses (127.0.0.0/8 or [::1]) "+
			"are accepted for rehearsals; other endpoints are sent to through a saved target, which passes URL safety",
			Redact(to)).WithFix(fix)
	}
	port, hostport := "443", a.String()
	if a.Is6() {
		hostport = "[" + hostport + "]"
	}
	if p := u.Port(); p != "" || strings.HasSuffix(u.Host, ":") {
		n, reason := parsePort(p)
		if reason != "" {
			return usage("--to: %s", reason)
		}
		port = strconv.Itoa(n)
		hostport = net.JoinHostPort(a.String(), port)
	}
	u.Scheme = "https"
	u.Host = hostport
	u.Fragment, u.RawFragment = "", ""
	if rootCAs != nil {
		opts.RootCAs = rootCAs
	}
	check := func(b netip.Addr) error {
		if b != a {
			return codes.Errorf(codes.BaseURLBlocked, "the rehearsal client only connects to %s, not %s", a, b)
		}
		return nil
	}
	d := &pinnedDialer{host: a.String(), port: port, addrs: []netip.Addr{a}, check: check, timeout: opts.ConnectTimeout}
	return newClient(d, opts), u, nil
}

// RedirectError returns the refusal for a 3xx answer (nil for any other),
// naming the redirect target redacted. Clients from this package never
// follow redirects, so callers check every response with it.
func RedirectError(resp *http.Response) *codes.Error {
	if resp == nil || resp.StatusCode < 300 || resp.StatusCode > 399 {
		return nil
	}
	status := strconv.Itoa(resp.StatusCode)
	if text := http.StatusText(resp.StatusCode); text != "" {
		status += " " + text
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return codes.Errorf(codes.RedirectBlocked, "the endpoint answered %s; redirects are never followed", status)
	}
	if resp.Request != nil && resp.Request.URL != nil {
		if ref, err := resp.Request.URL.Parse(loc); err == nil {
			loc = ref.String()
		}
	}
	return codes.Errorf(codes.RedirectBlocked, "the endpoint answered %s, a redirect to %s; redirects are never followed",
		status, Redact(loc))
}

func endpointPort(u *url.URL) (string, error) {
	p := u.Port()
	if p == "" {
		return "443", nil
	}
	n, reason := parsePort(p)
	if reason != "" {
		return "", codes.Errorf(codes.BaseURLBlocked, "%s", reason)
	}
	return strconv.Itoa(n), nil
}

// newClient wires d into a client that ignores proxy variables, never
// follows redirects and speaks TLS 1.2 or newer.
func newClient(d *pinnedDialer, opts ClientOptions) *http.Client {
	if d.timeout <= 0 {
		d.timeout = defaultConnectTimeout
	}
	tr := &http.Transport{
		Proxy:                  nil, // HTTPS_PROXY and friends would send evidence (and the pinning) elsewhere
		DialContext:            d.DialContext,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: opts.RootCAs},
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    tlsHandshakeTimeout,
		MaxResponseHeaderBytes: maxResponseHeader,
		// One client serves one endpoint, so the per-host limit is the
		// limit: it must cover every delivery worker (4 by default), or
		// keep-alive connections are torn down and re-handshaken.
		MaxIdleConns:        16,
		MaxIdleConnsPerHost: 16,
		MaxConnsPerHost:     opts.MaxConns,
		IdleConnTimeout:     90 * time.Second,
	}
	// Plain http is refused before it reaches the dialer (refusePlain).
	// The client's transport is the *http.Transport itself, not a wrapper:
	// http.Client bounds a request to a transport it knows with a context
	// deadline, but to any other with a goroutine, a timer and a cancel
	// channel per request (docs/performance.md, the export pipeline).
	tr.RegisterProtocol("http", refusePlain{})
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
		Timeout: opts.Timeout,
	}
}

// refusePlain answers every plain-http request of a client's transport
// (Transport.RegisterProtocol) before it reaches the dialer.
type refusePlain struct{}

func (refusePlain) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	return nil, codes.Errorf(codes.BaseURLBlocked, "only https requests are sent")
}

// pinnedDialer connects only to the checked addresses of one host and port.
type pinnedDialer struct {
	host    string // lookup form, or the canonical IP literal
	port    string
	addrs   []netip.Addr
	check   func(netip.Addr) error // policy re-check at connect time
	timeout time.Duration
}

// DialContext refuses any host or port but the endpoint's and tries the
// pinned addresses in order; a policy refusal stops at once.
func (d *pinnedDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	h, port, err := net.SplitHostPort(address)
	if n, reason := parsePort(port); reason == "" {
		port = strconv.Itoa(n)
	}
	if err != nil || !strings.EqualFold(strings.TrimSuffix(h, "."), d.host) || port != d.port {
		return nil, codes.Errorf(codes.BaseURLBlocked, "this client sends only to %s port %s; the connection to %q was refused",
			d.host, d.port, clip(address))
	}
	nd := net.Dialer{Timeout: d.timeout, Control: d.control}
	var errs []error
	for _, a := range d.addrs {
		c, err := nd.DialContext(ctx, "tcp", net.JoinHostPort(a.String(), port))
		if err == nil {
			return c, nil
		}
		var ce *codes.Error
		if errors.As(err, &ce) || ctx.Err() != nil {
			return nil, err
		}
		errs = append(errs, err)
	}
	if len(errs) == 1 {
		return nil, errs[0]
	}
	return nil, fmt.Errorf("no address of %s answered: %w", d.host, errors.Join(errs...))
}

// control runs after the socket exists and before it connects: the address
// must be one of the pinned ones and must still pass the policy.
func (d *pinnedDialer) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return codes.Errorf(codes.BaseURLBlocked, "the address %q being dialled cannot be read", clip(address))
	}
	a := ap.Addr().Unmap().WithZone("")
	if !contains(d.addrs, a) {
		return codes.Errorf(codes.BaseURLBlocked, "%s was not among the addresses checked for %s", a, d.host)
	}
	return d.check(a)
}
