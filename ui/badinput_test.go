package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

// TestCapturedRequestNeverOverwrites: test-send --out refuses an existing
// file (a mistyped path must not replace another file) and leaves it as it
// was.
func TestCapturedRequestNeverOverwrites(t *testing.T) {
	p := filepath.Join(t.TempDir(), "existing")
	if err := os.WriteFile(p, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := writeCaptured(p, capturedRequest{Method: "POST"})
	if codes.AsError(err).Code != codes.Usage {
		t.Fatalf("got %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "keep me" {
		t.Fatalf("the file now holds %q", b)
	}
}

// TestRehearsalAddressCheckedFirst: a --to that is not an https loopback
// address is refused when the flags load, before drain or retry claim a
// delivery and spend an attempt on it.
func TestRehearsalAddressCheckedFirst(t *testing.T) {
	for to, code := range map[string]codes.Code{
		"http://127.0.0.1:9/x":     codes.Usage,
		"https://10.0.0.1/x":       codes.URLUnsafe,
		"https://localhost:9/x":    codes.URLUnsafe,
		"https://u@127.0.0.1:9/x":  codes.Usage,
		"https://127.0.0.1:99999/": codes.Usage,
	} {
		f := rehearsalFlags{to: to}
		if err := f.load(); codes.AsError(err).Code != code {
			t.Errorf("%s: %v, want %s", to, err, code)
		}
	}
	if f := (rehearsalFlags{to: "https://127.0.0.1:9/x"}); f.load() != nil {
		t.Error("a loopback https --to was refused")
	}
}

// TestConfigUnknownSubcommand: `config bogus` is a usage error (exit 2),
// not the help page with exit 0; `config` alone still shows the help.
func TestConfigUnknownSubcommand(t *testing.T) {
	env := map[string]string{"XDG_CONFIG_HOME": t.TempDir(), "WEBHOOK_SETUP_DB": filepath.Join(t.TempDir(), "w.db")}
	for args, want := range map[string]int{"config bogus": 2, "config": 0} {
		var out, errb strings.Builder
		app := &App{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(k string) string { return env[k] }, Now: time.Now}
		if code := Run(app, strings.Fields(args)); code != want {
			t.Errorf("%s: exit %d, want %d\n%s%s", args, code, want, out.String(), errb.String())
		}
	}
}

// TestWriteNewFileBadPath: a path that cannot be created is a usage error
// (exit 2, "name a file in a folder you can write to"), not an internal
// error asking for a bug report.
func TestWriteNewFileBadPath(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writeNewFile(filepath.Join(f, "x.toml"), "x", false); codes.AsError(err).Code != codes.Usage {
		t.Fatalf("got %v", err)
	}
}

// TestSecretOutBadPath: a --secret-out that cannot be created is a usage
// error, not an internal one.
func TestSecretOutBadPath(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s := secretFlags{generate: true, out: filepath.Join(f, "new.secret")}
	saved := false
	_, err := s.handOut(&App{}, "wrsec_x", true, false, func() error { saved = true; return nil })
	if codes.AsError(err).Code != codes.Usage || saved {
		t.Fatalf("got %v (saved %v)", err, saved)
	}
}
