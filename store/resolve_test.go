package store

import (
	"reflect"
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core/codes"
)

// A resolve override is saved with the target, read back with it (after a
// reopen too), named in the create and update audit events, and removable.
func TestResolveOverrideRoundTrip(t *testing.T) {
	s := openTemp(t)
	tg := sampleTarget("zap-offline")
	tg.Resolve = []string{"3.33.152.147", "2600:1f18::1"}
	if err := s.CreateTarget(ctx, &tg, newSecret(), "tester"); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s)
	got, err := s.Target(ctx, "zap-offline")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Resolve, tg.Resolve) {
		t.Fatalf("read back %q, want %q", got.Resolve, tg.Resolve)
	}
	all, _ := s.Targets(ctx, 0, 0)
	if len(all) != 1 || !reflect.DeepEqual(all[0].Resolve, tg.Resolve) {
		t.Errorf("Targets lost the override: %+v", all)
	}

	if _, err := s.SetResolve(ctx, "zap-offline", []string{"13.248.1.2"}, "tester"); err != nil {
		t.Fatal(err)
	}
	cleared, err := s.SetResolve(ctx, "zap-offline", nil, "tester")
	if err != nil || cleared.Resolve != nil || cleared.Version != 3 {
		t.Fatalf("clear: %+v %v", cleared, err)
	}
	if again, err := s.SetResolve(ctx, "zap-offline", nil, "tester"); err != nil || again.Version != 3 {
		t.Errorf("clearing twice wrote a change: version %d, %v", again.Version, err)
	}

	evs, err := s.Audit(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, e := range evs {
		details = append(details, e.Action+": "+e.Detail)
	}
	all2 := strings.Join(details, "\n")
	for _, want := range []string{
		"resolve hooks.zapier.com:443 → 3.33.152.147, 2600:1f18::1 (instead of DNS)",
		"changed resolve; resolve now hooks.zapier.com:443 → 13.248.1.2 (instead of DNS)",
		"changed resolve; resolve now none (DNS)",
	} {
		if !strings.Contains(all2, want) {
			t.Errorf("audit lacks %q:\n%s", want, all2)
		}
	}
	if strings.Contains(all2, hookToken) {
		t.Error("the audit log holds the URL's token")
	}
}

func TestSetResolveRefusesWhatCoreRefuses(t *testing.T) {
	s := openTemp(t)
	mustCreate(t, s, "zap")
	before := dump(t, s.path)
	_, err := s.SetResolve(ctx, "zap", []string{"hooks.zapier.com"}, "tester")
	wantCode(t, err, codes.ResolveInvalid)
	if dump(t, s.path) != before {
		t.Error("a refused override changed the database")
	}
}
