package ui

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/store"
)

// TestDisconnectNeutralisesOwner: the revoke checklist of disconnect names
// the receiver owner, which is outside text; its terminal sequences are
// shown escaped, not sent to the terminal.
func TestDisconnectNeutralisesOwner(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	s, err := store.Open(db, "")
	if err != nil {
		t.Fatal(err)
	}
	tg := core.Target{Name: "evil", ProviderKey: "generic_webhook", DeploymentMode: core.ModeCloud,
		BaseURL: "https://receiver.example.com/hook", ReceiverOwner: "ops\x1b]52;c;aGk=\x07\u202e", RevokePath: "p",
		ReceiverChecksConfirmed: true}
	if err := s.CreateTarget(t.Context(), &tg, "s3cret-known-value-for-tests-0123456789abcdef", "t"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	var out, errb bytes.Buffer
	env := map[string]string{"WEBHOOK_SETUP_DB": db, "XDG_CONFIG_HOME": t.TempDir()}
	app := &App{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(k string) string { return env[k] }, Now: time.Now}
	if code := Run(app, []string{"disconnect", "evil", "--yes"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if strings.ContainsAny(out.String(), "\x1b\x07\u202e") || !strings.Contains(out.String(), `owner: ops\x1b]52;c;aGk=\x07\u202e`) {
		t.Fatalf("disconnect printed %q", out.String())
	}
}
