package urlsafe

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestHandshakeSendsNoRequest: Handshake through a rehearsal client
// describes the loopback server's certificate, judges its chain against
// the given roots, and never sends an HTTP request.
func TestHandshakeSendsNoRequest(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	pool := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	now := time.Now()
	for _, c := range []struct {
		name  string
		roots bool
		at    time.Time
		valid bool
	}{
		{"trusted", true, now, true},
		{"unknown authority", false, now, false},
		{"checked after expiry", true, srv.Certificate().NotAfter.Add(48 * time.Hour), false},
	} {
		client, u, err := NewRehearsalClient(srv.URL+"/hook", nil, ClientOptions{})
		if c.roots {
			client, u, err = NewRehearsalClient(srv.URL+"/hook", pool, ClientOptions{})
		}
		if err != nil {
			t.Fatal(err)
		}
		cert, err := Handshake(context.Background(), client, u, c.at)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if cert.Valid != c.valid || (cert.Problem == "") != c.valid || cert.NotAfter.IsZero() {
			t.Errorf("%s: %+v", c.name, cert)
		}
		if c.name == "checked after expiry" && cert.DaysLeft >= 0 {
			t.Errorf("expired certificate has %d days left", cert.DaysLeft)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the server got %d HTTP requests", n)
	}
}
