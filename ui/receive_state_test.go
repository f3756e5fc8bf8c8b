package ui

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/core/payload"
	"github.com/webriskops/webhook-setup/core/signing"
)

// TestReceiveStateKeepsNoncesAcrossRestarts: with --state a delivery
// accepted before a restart is refused as a replay after it; without it
// the restarted receiver would accept the replay. The state file is 0600.
func TestReceiveStateKeepsNoncesAcrossRestarts(t *testing.T) {
	now := time.Now()
	app := &App{Out: io.Discard, Err: io.Discard, Now: func() time.Time { return now }}
	tk := payload.SampleTicket()
	key := payload.DefaultIdempotencyKey("tgt_state", tk.Kind, tk.FindingID)
	body, err := payload.Build(payload.TargetRef{ID: "tgt_state", Name: "state"}, "generic_webhook", tk, key, true, now)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	if err := signing.SetHeaders(h, []string{fuzzSecretNew}, key, now, body); err != nil {
		t.Fatal(err)
	}
	send := func(rv *receiver) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/hook", bytes.NewReader(body))
		r.Header = h.Clone()
		w := httptest.NewRecorder()
		rv.ServeHTTP(w, r)
		return w
	}
	start := func(state string) *receiver {
		rv := newReceiver(app, []string{fuzzSecretNew}, delivery.StaticSecrets(fuzzSecretNew), signing.DefaultTolerance, false, false)
		if state != "" {
			st, err := openNonceState(state, rv.v.Nonces(), app.Now)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			rv.state = st
		}
		return rv
	}
	path := filepath.Join(t.TempDir(), "receive.state")
	if w := send(start(path)); w.Code != http.StatusOK {
		t.Fatalf("first delivery: %d %s", w.Code, w.Body)
	}
	if w := send(start(path)); w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "replay refused") {
		t.Fatalf("the same delivery after a restart with --state: %d %s, want 401 replay refused", w.Code, w.Body)
	}
	if w := send(start("")); w.Code != http.StatusOK {
		t.Fatalf("without --state the restarted receiver forgets (the old behaviour): %d", w.Code)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file: %v %v, want 0600", fi.Mode(), err)
	}
}

// TestReceiveStateRefusesUnsafeFiles: a link, a file others may write and
// a file that is not a state file are refused and left as they are.
func TestReceiveStateRefusesUnsafeFiles(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	os.WriteFile(victim, []byte("precious\n"), 0o600)
	link := filepath.Join(dir, "link.state")
	os.Symlink(victim, link)
	writable := filepath.Join(dir, "writable.state")
	os.WriteFile(writable, []byte(stateHeader+"\n"), 0o600)
	os.Chmod(writable, 0o666)
	for path, want := range map[string]codes.Code{link: codes.FileUnsafe, writable: codes.FileUnsafe, victim: codes.Usage} {
		_, err := openNonceState(path, signing.NewNonceCache(0, 0), time.Now)
		if codes.AsError(err).Code != want {
			t.Errorf("%s: %v, want %s", filepath.Base(path), err, want)
		}
	}
	if data, _ := os.ReadFile(victim); string(data) != "precious\n" {
		t.Errorf("the file behind the link changed: %q", data)
	}
	if fi, _ := os.Stat(writable); fi.Mode().Perm() != 0o666 {
		t.Errorf("a refused state file was changed to %v", fi.Mode().Perm())
	}
}
