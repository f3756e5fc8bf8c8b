package ui

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/core/signing"
)

// TestReceiverBounds: a request with more header fields than
// maxReceiveHeaders is answered 431, and one whose body would overdraw the
// bodies budget 503 with Retry-After, before its body is read; the budget
// is given back after every request.
func TestReceiverBounds(t *testing.T) {
	app := &App{Out: io.Discard, Err: io.Discard, Now: time.Now}
	rv := newReceiver(app, []string{fuzzSecretNew}, delivery.StaticSecrets(fuzzSecretNew), signing.DefaultTolerance, false, false)

	r := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader("{}"))
	for i := range maxReceiveHeaders + 1 {
		r.Header.Set("X-Many-"+strconv.Itoa(i), "x")
	}
	w := httptest.NewRecorder()
	rv.ServeHTTP(w, r)
	if w.Code != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("%d header fields: %d %s, want 431", maxReceiveHeaders+1, w.Code, w.Body)
	}

	rv.bodies.left = 10
	body := strings.Repeat("x", 11)
	r = httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(body))
	w = httptest.NewRecorder()
	rv.ServeHTTP(w, r)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Errorf("a body over the budget: %d %s, want 503 with Retry-After", w.Code, w.Body)
	}
	r = httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(body[:10]))
	w = httptest.NewRecorder()
	rv.ServeHTTP(w, r)
	if w.Code == http.StatusServiceUnavailable || rv.bodies.left != 10 {
		t.Errorf("a body within the budget: %d, budget left %d, want it read and the budget back at 10", w.Code, rv.bodies.left)
	}
}
