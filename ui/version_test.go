package ui

import (
	"runtime"
	"strings"
	"testing"
)

// TestReadBuild: what the linker was told wins; what it was not told comes
// from the build information or reads "unknown", never empty.
func TestReadBuild(t *testing.T) {
	b := ReadBuild("1.4.0", "0123456789abcdef0123", "2026-01-02T03:04:05Z")
	if b.Version != "1.4.0" || b.Commit != "0123456789abcdef0123" || b.Built != "2026-01-02T03:04:05Z" || b.Go != runtime.Version() {
		t.Fatalf("ldflags not kept: %+v", b)
	}
	if s := b.String(); s != "webhook-setup 1.4.0 (commit 0123456789ab, "+runtime.Version()+", built 2026-01-02T03:04:05Z)" {
		t.Fatalf("String: %q", s)
	}
	d := ReadBuild("dev", "", "")
	if d.Version == "" || d.Commit == "" || d.Built == "" || !strings.HasPrefix(d.Go, "go") {
		t.Fatalf("empty fields: %+v", d)
	}
}
