package urlsafe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

// countingListener accepts and drops connections, counting them: a server
// the code under test must never reach.
type countingListener struct {
	net.Listener
	accepts atomic.Int32
}

func listenCounting(t *testing.T, addr string) *countingListener {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	cl := &countingListener{Listener: l}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			cl.accepts.Add(1)
			c.Close()
		}
	}()
	t.Cleanup(func() { l.Close() })
	return cl
}

// strays is how many connections reached the listener before this call.
// It makes one connection of its own, a fence, and reads until the
// listener closes it: the kernel hands connections to Accept in the order
// they were made and the listener counts each before closing it, so when
// the fence ends every earlier connection has been counted. No sleep
// decides when "nothing arrived" is true.
func (cl *countingListener) strays(t *testing.T) int32 {
	t.Helper()
	fence, err := net.DialTimeout("tcp", cl.Addr().String(), 10*time.Second)
	if err != nil {
		t.Fatalf("fence connection to %s: %v", cl.Addr(), err)
	}
	defer fence.Close()
	fence.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := fence.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("the fence connection to %s was not closed by the listener: %v", cl.Addr(), err)
	}
	return cl.accepts.Load() - 1
}

// tlsServerOn starts a TLS test server on addr (host:port).
func tlsServerOn(t *testing.T, addr string, h http.Handler) *httptest.Server {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	s := httptest.NewUnstartedServer(h)
	s.Listener.Close()
	s.Listener = l
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

func certPool(s *httptest.Server) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(s.Certificate())
	return p
}

func serverPort(s *httptest.Server) string {
	_, port, _ := net.SplitHostPort(s.Listener.Addr().String())
	return port
}

// allowLoopback lets the tests reach their own servers; no user path can
// set it.
func allowLoopback(p Policy) Policy {
	p.testAllow = func(a netip.Addr) bool { return a.IsLoopback() }
	return p
}

// recorder is a handler that counts requests and keeps the last Host and SNI.
type recorder struct {
	mu         sync.Mutex
	hits       int
	host, sni  string
	path       string
	lastRemote string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hits++
	r.host, r.path, r.lastRemote = req.Host, req.URL.Path, req.RemoteAddr
	if req.TLS != nil {
		r.sni = req.TLS.ServerName
	}
	io.WriteString(w, "ok")
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hits
}

func wantCode(t *testing.T, err error, code codes.Code) *codes.Error {
	t.Helper()
	var ce *codes.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T) carries no *codes.Error", err, err)
	}
	if ce.Code != code {
		t.Fatalf("code = %s (%s), want %s", ce.Code, ce.Reason, code)
	}
	return ce
}

// TestPinnedClientIgnoresChangedAnswer: the check sees 127.0.0.2 (allowed
// for the test), then DNS changes to 127.0.0.1 (blocked). The client must
// send to the checked address only and never connect to the blocked one.
func TestPinnedClientIgnoresChangedAnswer(t *testing.T) {
	good := &recorder{}
	var srv *httptest.Server
	var blocked *countingListener
	for try := 0; try < 20 && blocked == nil; try++ {
		s := tlsServerOn(t, "127.0.0.2:0", good)
		l, err := net.Listen("tcp", "127.0.0.1:"+serverPort(s))
		if err != nil {
			continue // the port is taken on 127.0.0.1; try another
		}
		l.Close()
		srv, blocked = s, listenCounting(t, "127.0.0.1:"+serverPort(s))
	}
	if blocked == nil {
		t.Skip("no port free on both 127.0.0.1 and 127.0.0.2")
	}
	port := serverPort(srv)

	second := netip.MustParseAddr("127.0.0.2")
	p := Policy{testAllow: func(a netip.Addr) bool { return a == second }}
	dns := &flipResolver{first: addrs("127.0.0.2"), later: addrs("127.0.0.1")}

	v := Check(context.Background(), "https://example.com:"+port+"/hook", p, dns)
	if !v.Safe || len(v.Pinned) != 1 || v.Pinned[0] != second {
		t.Fatalf("check: %+v", v)
	}
	// DNS now answers with the blocked address.
	if got, _ := dns.LookupNetIP(context.Background(), "ip", "example.com"); got[0].String() != "127.0.0.1" {
		t.Fatal("the resolver did not change its answer")
	}
	if v2 := Check(context.Background(), "https://example.com:"+port+"/hook", p, dns); v2.Safe {
		t.Fatal("a fresh check accepted the blocked answer")
	}

	c, err := NewClient(v, p, ClientOptions{RootCAs: certPool(srv)})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		req, _ := http.NewRequest(http.MethodPost, v.Endpoint.String(), strings.NewReader("{}"))
		req.Close = true // a new connection, and so a new dial, each time
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	if n := blocked.strays(t); n != 0 {
		t.Fatalf("the blocked address accepted %d connections", n)
	}
	if good.count() != 3 {
		t.Errorf("the checked address got %d requests, want 3", good.count())
	}
	if calls := dns.calls.Load(); calls != 3 {
		t.Errorf("the resolver was called %d times; the client must not look anything up", calls-2)
	}
	if good.host != "example.com:"+port || good.sni != "example.com" {
		t.Errorf("Host %q SNI %q; the host name must be kept", good.host, good.sni)
	}
}

// TestControlHookRefuses: an address that passed when the client was built
// but fails the policy at connect time is refused in Control, before any
// packet leaves, with PROVIDER_BASE_URL_BLOCKED.
func TestControlHookRefuses(t *testing.T) {
	blocked := listenCounting(t, "127.0.0.1:0")
	_, port, _ := net.SplitHostPort(blocked.Addr().String())
	var judged atomic.Int32
	p := Policy{testAllow: func(netip.Addr) bool { return judged.Add(1) == 1 }} // passes once, at NewClient
	u, _ := url.Parse("https://example.com:" + port + "/hook")
	v := Verdict{Safe: true, Endpoint: u, Pinned: addrs("127.0.0.1")}
	c, err := NewClient(v, p, ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Get(u.String())
	ce := wantCode(t, err, codes.BaseURLBlocked)
	if !strings.Contains(ce.Reason, "127.0.0.1") || !strings.Contains(ce.Reason, "loopback") {
		t.Errorf("reason %q", ce.Reason)
	}
	if n := blocked.strays(t); n != 0 {
		t.Fatalf("the refused address accepted %d connections", n)
	}
	if judged.Load() < 2 {
		t.Error("the policy was not checked again at connect time")
	}
}

func TestPinnedDialerControl(t *testing.T) {
	d := &pinnedDialer{host: "example.com", port: "443", addrs: addrs("8.8.8.8"), check: func(netip.Addr) error { return nil }}
	if err := d.control("tcp4", "8.8.8.8:443", nil); err != nil {
		t.Errorf("pinned address refused: %v", err)
	}
	for _, addr := range []string{"8.8.4.4:443", "127.0.0.1:443", "nonsense"} {
		wantCode(t, d.control("tcp4", addr, nil), codes.BaseURLBlocked)
	}
	// An IPv4-mapped form of a pinned address is the same address.
	if err := d.control("tcp6", "[::ffff:8.8.8.8]:443", nil); err != nil {
		t.Errorf("mapped pinned address refused: %v", err)
	}
}

func TestNewClientRefuses(t *testing.T) {
	u, _ := url.Parse("https://example.com/")
	tests := []struct {
		name string
		v    Verdict
		p    Policy
	}{
		{"unsafe verdict", Verdict{Safe: false, Reason: "nope", Endpoint: u, Pinned: addrs("8.8.8.8")}, Policy{}},
		{"no endpoint", Verdict{Safe: true, Pinned: addrs("8.8.8.8")}, Policy{}},
		{"nothing pinned", Verdict{Safe: true, Endpoint: u}, Policy{}},
		{"pinned loopback", Verdict{Safe: true, Endpoint: u, Pinned: addrs("127.0.0.1")}, Policy{}},
		{"pinned mapped loopback", Verdict{Safe: true, Endpoint: u, Pinned: addrs("::ffff:127.0.0.1")}, Policy{}},
		{"pinned private, no allowlist", Verdict{Safe: true, Endpoint: u, Pinned: addrs("10.0.0.5")}, Policy{SelfHosted: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewClient(tt.v, tt.p, ClientOptions{})
			wantCode(t, err, codes.BaseURLBlocked)
		})
	}
	// An allowlisted private address is fine.
	v := Verdict{Safe: true, Endpoint: u, Pinned: addrs("10.0.0.5")}
	if _, err := NewClient(v, Policy{SelfHosted: true, Allowlist: []string{"example.com"}}, ClientOptions{}); err != nil {
		t.Errorf("host-name allowlist: %v", err)
	}
}

// TestClientSendsOnlyToEndpoint: the client refuses other hosts, ports and
// plain http, so it cannot be reused to reach anything unchecked.
func TestClientSendsOnlyToEndpoint(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewTLSServer(rec)
	defer srv.Close()
	port := serverPort(srv)
	p := allowLoopback(Policy{})
	v := Check(context.Background(), "https://example.com:"+port+"/", p, answers("127.0.0.1"))
	c, err := NewClient(v, p, ClientOptions{RootCAs: certPool(srv)})
	if err != nil {
		t.Fatal(err)
	}
	other, _ := strconv.Atoi(port)
	for _, u := range []string{
		"https://other.example:" + port + "/",
		"https://127.0.0.1:" + port + "/",
		fmt.Sprintf("https://example.com:%d/", other+1),
		"https://example.com/",
		"http://example.com:" + port + "/",
	} {
		_, err := c.Get(u)
		wantCode(t, err, codes.BaseURLBlocked)
	}
	if rec.count() != 0 {
		t.Errorf("server got %d requests", rec.count())
	}
	resp, err := c.Get("https://EXAMPLE.com:" + port + "/ok")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if rec.count() != 1 {
		t.Errorf("server got %d requests, want 1", rec.count())
	}
}

// TestRedirectRefused runs against a real local TLS server: every 3xx comes
// back to the caller, is refused with generic_webhook_redirect_blocked, and
// the Location target is never contacted.
func TestRedirectRefused(t *testing.T) {
	target := &recorder{}
	targetSrv := httptest.NewTLSServer(target)
	defer targetSrv.Close()
	redirector := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/r/"))
		switch {
		case r.URL.Path == "/relative":
			w.Header().Set("Location", "/elsewhere/abcdefghijkl")
			code = http.StatusFound
		case code == http.StatusMultipleChoices:
		default:
			w.Header().Set("Location", targetSrv.URL+"/hooks/catch/123456/abcdefghijkl?token=supersecret")
		}
		w.WriteHeader(code)
	}))
	defer redirector.Close()

	p := allowLoopback(Policy{})
	port := serverPort(redirector)
	for _, path := range []string{"/r/301", "/r/302", "/r/303", "/r/307", "/r/308", "/r/300", "/relative"} {
		t.Run(path, func(t *testing.T) {
			v := Check(context.Background(), "https://example.com:"+port+path, p, answers("127.0.0.1"))
			if !v.Safe {
				t.Fatal(v.Reason)
			}
			c, err := NewClient(v, p, ClientOptions{RootCAs: certPool(redirector)})
			if err != nil {
				t.Fatal(err)
			}
			resp, err := c.Post(v.Endpoint.String(), "application/json", strings.NewReader(`{}`))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode < 300 || resp.StatusCode > 399 {
				t.Fatalf("status %d, want the 3xx itself", resp.StatusCode)
			}
			rerr := RedirectError(resp)
			if rerr == nil {
				t.Fatal("no redirect error")
			}
			if rerr.Code != codes.RedirectBlocked || rerr.Fix == "" {
				t.Errorf("error = %+v", rerr)
			}
			if strings.Contains(rerr.Reason, "abcdefghijkl") || strings.Contains(rerr.Reason, "supersecret") {
				t.Errorf("reason %q leaks the Location's token", rerr.Reason)
			}
			switch path {
			case "/r/300":
				if !strings.Contains(rerr.Reason, "300") {
					t.Errorf("reason %q", rerr.Reason)
				}
			case "/relative":
				if !strings.Contains(rerr.Reason, "https://example.com:"+port+"/…/…") {
					t.Errorf("reason %q does not name the resolved Location", rerr.Reason)
				}
			default:
				if !strings.Contains(rerr.Reason, strings.TrimPrefix(targetSrv.URL, "https://")) {
					t.Errorf("reason %q does not name the Location host", rerr.Reason)
				}
			}
		})
	}
	if n := target.count(); n != 0 {
		t.Fatalf("the redirect target was contacted %d times", n)
	}
}

func TestRedirectErrorOther(t *testing.T) {
	if RedirectError(nil) != nil {
		t.Error("nil response")
	}
	for _, code := range []int{200, 204, 299, 400, 404, 500} {
		if RedirectError(&http.Response{StatusCode: code, Header: http.Header{}}) != nil {
			t.Errorf("status %d read as a redirect", code)
		}
	}
	e := RedirectError(&http.Response{StatusCode: 399, Header: http.Header{"Location": {"https://x.example/abcdefghij\n"}}})
	if e == nil || strings.Contains(e.Reason, "abcdefghij") || strings.Contains(e.Reason, "\n") {
		t.Errorf("odd redirect = %+v", e)
	}
}

// TestProxyEnvironmentIgnored: HTTPS_PROXY and friends would route evidence
// (and so the pinning decision) through another host; the client ignores them.
func TestProxyEnvironmentIgnored(t *testing.T) {
	proxy := listenCounting(t, "127.0.0.1:0")
	proxyURL := "http://" + proxy.Addr().String()
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"} {
		t.Setenv(k, proxyURL)
	}
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")
	rec := &recorder{}
	srv := httptest.NewTLSServer(rec)
	defer srv.Close()
	p := allowLoopback(Policy{})
	v := Check(context.Background(), "https://example.com:"+serverPort(srv)+"/", p, answers("127.0.0.1"))
	c, err := NewClient(v, p, ClientOptions{RootCAs: certPool(srv)})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Get(v.Endpoint.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if strays := proxy.strays(t); rec.count() != 1 || strays != 0 {
		t.Errorf("server hits %d, proxy connections %d", rec.count(), strays)
	}
	if tr := c.Transport.(*http.Transport); tr.Proxy != nil {
		t.Error("the transport has a proxy function")
	}
}

func TestTLSMinimum(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewUnstartedServer(rec)
	srv.TLS = &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	p := allowLoopback(Policy{})
	v := Check(context.Background(), "https://example.com:"+serverPort(srv)+"/", p, answers("127.0.0.1"))
	c, err := NewClient(v, p, ClientOptions{RootCAs: certPool(srv)})
	if err != nil {
		t.Fatal(err)
	}
	if cfg := c.Transport.(*http.Transport).TLSClientConfig; cfg.MinVersion != tls.VersionTLS12 {
		t.Errorf("MinVersion = %x", cfg.MinVersion)
	}
	if _, err := c.Get(v.Endpoint.String()); err == nil {
		t.Fatal("a TLS 1.1 server was accepted")
	}
	if rec.count() != 0 {
		t.Error("request reached a TLS 1.1 server")
	}
}

func TestUntrustedCertificate(t *testing.T) {
	srv := httptest.NewUnstartedServer(&recorder{})
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	p := allowLoopback(Policy{})
	v := Check(context.Background(), "https://example.com:"+serverPort(srv)+"/", p, answers("127.0.0.1"))
	c, err := NewClient(v, p, ClientOptions{}) // system roots do not trust the test CA
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(v.Endpoint.String()); err == nil {
		t.Fatal("an untrusted certificate was accepted")
	}
	// The certificate is for example.com: another name must fail verification.
	v = Check(context.Background(), "https://hooks.other.test:"+serverPort(srv)+"/", p, answers("127.0.0.1"))
	c, _ = NewClient(v, p, ClientOptions{RootCAs: certPool(srv)})
	if _, err := c.Get(v.Endpoint.String()); err == nil {
		t.Fatal("a certificate for another name was accepted")
	}
}

func TestClientDefaults(t *testing.T) {
	d := &pinnedDialer{}
	c := newClient(d, ClientOptions{Timeout: 7 * time.Second})
	if d.timeout != 5*time.Second {
		t.Errorf("connect timeout %v, want 5s", d.timeout)
	}
	if c.Timeout != 7*time.Second {
		t.Errorf("client timeout %v", c.Timeout)
	}
	if c.CheckRedirect(nil, nil) != http.ErrUseLastResponse {
		t.Error("redirects would be followed")
	}
	d = &pinnedDialer{timeout: time.Second}
	newClient(d, ClientOptions{})
	if d.timeout != time.Second {
		t.Errorf("connect timeout %v, want 1s", d.timeout)
	}
}

func TestPinnedIPv6(t *testing.T) {
	rec := &recorder{}
	srv := tlsServerOn(t, "[::1]:0", rec)
	p := allowLoopback(Policy{})
	v := Check(context.Background(), "https://example.com:"+serverPort(srv)+"/", p, answers("::1"))
	c, err := NewClient(v, p, ClientOptions{RootCAs: certPool(srv)})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Get(v.Endpoint.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if rec.count() != 1 {
		t.Error("no request over IPv6")
	}
}

func TestRehearsalClient(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewTLSServer(rec)
	defer srv.Close()
	c, u, err := NewRehearsalClient(srv.URL+"/hook#frag", certPool(srv), ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if u.String() != srv.URL+"/hook" {
		t.Errorf("url = %s", u)
	}
	resp, err := c.Post(u.String(), "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if rec.count() != 1 || rec.path != "/hook" {
		t.Errorf("hits %d path %q", rec.count(), rec.path)
	}
	// Only that address: another loopback address or host is refused.
	port := serverPort(srv)
	for _, other := range []string{"https://127.0.0.2:" + port + "/", "https://example.com:" + port + "/"} {
		_, err := c.Get(other)
		wantCode(t, err, codes.BaseURLBlocked)
	}
	if _, _, err := NewRehearsalClient("https://[::1]:8443/x", nil, ClientOptions{}); err != nil {
		t.Errorf("[::1]: %v", err)
	}
	if _, u, err := NewRehearsalClient("https://127.0.0.9/x", nil, ClientOptions{}); err != nil || u.Host != "127.0.0.9" {
		t.Errorf("127.0.0.9: %v %v", u, err)
	}
}

func TestRehearsalClientRefuses(t *testing.T) {
	tests := []struct {
		to   string
		code codes.Code
	}{
		{"http://127.0.0.1:8443/", codes.Usage},
		{"ftp://127.0.0.1/", codes.Usage},
		{"127.0.0.1:8443", codes.Usage},
		{" https://127.0.0.1/", codes.Usage},
		{"https://127.0.0.1/\n", codes.Usage},
		{"https://user@127.0.0.1/", codes.Usage},
		{"https://127.0.0.1:0/", codes.Usage},
		{"https://127.0.0.1:99999/", codes.Usage},
		{"https://localhost:8443/", codes.URLUnsafe},
		{"https://10.0.0.5/", codes.URLUnsafe},
		{"https://8.8.8.8/", codes.URLUnsafe},
		{"https://example.com/", codes.URLUnsafe},
		{"https://127.1/", codes.URLUnsafe},
		{"https://2130706433/", codes.URLUnsafe},
		{"https://0x7f.0.0.1/", codes.URLUnsafe},
		{"https://[::ffff:127.0.0.1]/", codes.URLUnsafe},
		{"https://[fe80::1%25lo]/", codes.URLUnsafe},
		{"https://0.0.0.0/", codes.URLUnsafe},
		{"https://[::]/", codes.URLUnsafe},
	}
	for _, tt := range tests {
		c, u, err := NewRehearsalClient(tt.to, nil, ClientOptions{})
		if err == nil {
			t.Errorf("NewRehearsalClient(%q) accepted it", tt.to)
			continue
		}
		if c != nil || u != nil {
			t.Errorf("NewRehearsalClient(%q) returned a client with its error", tt.to)
		}
		var ce *codes.Error
		if !errors.As(err, &ce) || ce.Code != tt.code || ce.Fix == "" {
			t.Errorf("NewRehearsalClient(%q) = %v, want code %s", tt.to, err, tt.code)
		}
	}
}

func TestRehearsalRedirectRefused(t *testing.T) {
	target := &recorder{}
	targetSrv := httptest.NewTLSServer(target)
	defer targetSrv.Close()
	srv := httptest.NewTLSServer(http.RedirectHandler(targetSrv.URL+"/x", http.StatusTemporaryRedirect))
	defer srv.Close()
	c, u, err := NewRehearsalClient(srv.URL+"/", certPool(srv), ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if RedirectError(resp) == nil || target.count() != 0 {
		t.Errorf("status %d, target hits %d", resp.StatusCode, target.count())
	}
}

// TestClientMaxConnsBoundsConnections: with MaxConns a client holds at
// most that many connections to its endpoint, and requests beyond them
// wait for one instead of dialling; without it, six requests at once
// open six.
func TestClientMaxConnsBoundsConnections(t *testing.T) {
	for _, tc := range []struct{ max, want int }{{2, 2}, {0, 6}} {
		var mu sync.Mutex
		conns := 0
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(30 * time.Millisecond) // all six are asked for while the first ones are busy
		}))
		srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				mu.Lock()
				conns++
				mu.Unlock()
			}
		}
		srv.StartTLS()
		p := allowLoopback(Policy{})
		v := Check(context.Background(), "https://example.com:"+serverPort(srv)+"/", p, answers("127.0.0.1"))
		c, err := NewClient(v, p, ClientOptions{RootCAs: certPool(srv), MaxConns: tc.max})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := c.Get("https://example.com:" + serverPort(srv) + "/")
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
			}()
		}
		wg.Wait()
		srv.Close()
		if conns != tc.want {
			t.Errorf("MaxConns %d: %d connections, want %d", tc.max, conns, tc.want)
		}
	}
}
