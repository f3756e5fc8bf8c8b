package wizard

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core/codes"
)

// TestGeneratedSecretOnItsOwnLine: the secret is a line by itself, no
// border characters or padding around it, so a triple-click copies only it.
func TestGeneratedSecretOnItsOwnLine(t *testing.T) {
	d := newDriver(t, newFakeStore())
	throughEndpoint(d, 0, 0, "https://93.184.216.34/hook")
	d.key("enter")
	gen := d.m.answers.Secret
	found := false
	for _, line := range strings.Split(d.screen(), "\n") {
		if strings.Contains(line, gen) {
			found = true
			if line != gen {
				t.Fatalf("secret line is %q, want the secret alone", line)
			}
		}
	}
	if !found {
		t.Fatalf("secret not on screen:\n%s", d.screen())
	}
}

// TestGeneratedSecretCapitalY: Y confirms like y.
func TestGeneratedSecretCapitalY(t *testing.T) {
	d := newDriver(t, newFakeStore())
	throughEndpoint(d, 0, 0, "https://93.184.216.34/hook")
	d.key("enter", "Y")
	d.at(stepReceiver)
	if !d.m.answers.SecretStored {
		t.Fatal("Y did not confirm the secret")
	}
}

// TestGeneratedSecretWrittenToNewFile: f writes the shown secret to a new
// 0600 file, says where, and refuses (file_unsafe, file unchanged) once
// that file exists.
func TestGeneratedSecretWrittenToNewFile(t *testing.T) {
	dir := t.TempDir()
	d := newDriver(t, newFakeStore(), func(e *env) { e.secretDir = dir })
	throughEndpoint(d, 0, 0, "https://93.184.216.34/hook")
	d.key("enter")
	gen := d.m.answers.Secret
	d.key("f")
	path := filepath.Join(dir, secretFileName)
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != gen+"\n" {
		t.Fatal("file does not hold the shown secret")
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %04o, want 0600", fi.Mode().Perm())
	}
	var joined strings.Builder
	for _, line := range strings.Split(d.screen(), "\n") {
		joined.WriteString(strings.TrimSpace(line))
	}
	if !strings.Contains(joined.String(), "Wrote the secret to"+path+" (mode 0600") {
		t.Fatalf("the notice does not say where the file is:\n%s", d.screen())
	}
	d.at(stepSecret) // still shown, still waiting for y

	// A second f (or another generated secret) never overwrites it.
	if err := os.WriteFile(path, []byte("earlier\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d.key("f")
	if c := d.problemCodes(); len(c) != 1 || c[0] != codes.FileUnsafe {
		t.Fatalf("f on an existing file: problems %v", c)
	}
	d.want("exists already")
	if got, _ := os.ReadFile(path); string(got) != "earlier\n" {
		t.Fatal("existing file was changed")
	}
	d.key("y")
	d.at(stepReceiver)
}

// TestGeneratedSecretAt60x20: on a small terminal the secret is still a
// line by itself, and the discard question and its keys are on screen.
func TestGeneratedSecretAt60x20(t *testing.T) {
	d := newDriver(t, newFakeStore())
	d.send(resize(60, 20))
	throughEndpoint(d, 0, 0, "https://93.184.216.34/hook")
	d.key("enter")
	gen := d.m.answers.Secret
	d.key("esc")
	d.want("Discard this secret?", "y discard it", "n/esc keep it")
	own := false
	for _, line := range strings.Split(d.screen(), "\n") {
		if strings.Contains(line, gen) {
			own = strings.TrimRight(line, " ") == gen
		}
	}
	if !own {
		t.Fatalf("the secret is not a line by itself at 60×20:\n%s", d.screen())
	}
	d.key("N") // capital N keeps it too
	d.wantNot("Discard this secret?")
	d.want(gen)
}

// At 60×20 a refusal longer than a third of the screen is drawn whole,
// its fix included: a second f's generic_webhook_file_unsafe (the path
// over three rows) lost the end of its fix, and the secret stays on
// screen above it.
func TestSecretFileRefusalWholeAt60x20(t *testing.T) {
	dir := t.TempDir()
	d := newDriver(t, newFakeStore(), func(e *env) { e.secretDir = dir })
	d.send(resize(60, 20))
	throughEndpoint(d, 0, 0, "https://93.184.216.34/hook")
	d.key("enter")
	gen := d.m.answers.Secret
	d.key("f", "f")
	if c := d.problemCodes(); len(c) != 1 || c[0] != codes.FileUnsafe {
		t.Fatalf("f on an existing file: problems %v", c)
	}
	flat := strings.Join(strings.Fields(d.screen()), " ")
	if fix := wizardFix(d.m.problems[0], false); !strings.Contains(flat, "fix: "+fix) {
		t.Fatalf("the fix %q is not drawn whole:\n%s", fix, d.screen())
	}
	if !strings.Contains(d.screen(), gen) {
		t.Fatalf("the secret is no longer on screen:\n%s", d.screen())
	}
	if n := len(strings.Split(d.screen(), "\n")); n > 20 {
		t.Fatalf("%d rows at 60×20", n)
	}
}
