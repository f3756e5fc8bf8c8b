package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core/codes"
)

// TestManyProblemsAreCapped (issue 15, finding 10): a targets file with
// 200,000 unknown keys produced 57 MB of errors. An error now lists at
// most MaxProblemsShown problems, in line order, then "and N more", and
// never repeats a long key whole.
func TestManyProblemsAreCapped(t *testing.T) {
	const n = 200_000
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "k%06d = 1\n", i)
	}
	b.WriteString(strings.Repeat("x", 5000) + " = 1\n")
	for name, parse := range map[string]func() error{
		"targets": func() error { _, err := ParseTargets([]byte(b.String()), "targets.toml"); return err },
		"settings": func() error {
			_, err := ParseSettings([]byte(b.String()), "config.toml", map[string]Kind{})
			return err
		},
	} {
		var e *codes.Error
		if err := parse(); !errors.As(err, &e) {
			t.Fatalf("%s: error %v", name, err)
		}
		if len(e.Problems) != MaxProblemsShown+1 {
			t.Fatalf("%s: %d problems listed", name, len(e.Problems))
		}
		size := 0
		for _, p := range e.Problems {
			size += len(p.Reason) + len(p.Fix)
		}
		if size > 20_000 {
			t.Errorf("%s: the problems take %d bytes", name, size)
		}
		if first := e.Problems[0].Reason; !strings.HasPrefix(first, "targets.toml:1: ") && !strings.HasPrefix(first, "config.toml:1: ") {
			t.Errorf("%s: first problem %q is not line 1", name, first)
		}
		last := e.Problems[MaxProblemsShown].Reason
		if !strings.Contains(last, fmt.Sprintf("and %d more problems, not listed", n+1-MaxProblemsShown)) {
			t.Errorf("%s: last problem %q", name, last)
		}
	}
	// A long key is clipped where it is named.
	_, err := ParseTargets([]byte(strings.Repeat("y", 5000)+" = 1\n"), "t.toml")
	if err == nil || len(err.Error()) > 500 {
		t.Errorf("long key: %d bytes of error", len(fmt.Sprint(err)))
	}
}
