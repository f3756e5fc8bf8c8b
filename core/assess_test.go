package core

import (
	"context"
	"net/netip"
	"sync/atomic"
	"testing"

	"github.com/webriskops/webhook-setup/core/codes"
)

// countingResolver answers from a fixed table and counts the lookups, so a
// test can tell whether Assess went to the network.
type countingResolver struct {
	answers fixedResolver
	calls   atomic.Int32
}

func (c *countingResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	c.calls.Add(1)
	return c.answers.LookupNetIP(ctx, network, host)
}

func zapierResolver(addr string) *countingResolver {
	return &countingResolver{answers: fixedResolver{"hooks.zapier.com": {netip.MustParseAddr(addr)}}}
}

func TestAssessReadyTarget(t *testing.T) {
	r := zapierResolver("3.33.152.147")
	a := Assess(context.Background(), readyTarget(), goodSecret, r)
	if !a.Ready || len(a.Problems) != 0 || a.Pending {
		t.Fatalf("a ready target is not ready: %+v", a)
	}
	if a.Verdict == nil || !a.Verdict.Safe || r.calls.Load() == 0 {
		t.Fatalf("the endpoint was not checked through the resolver: %+v, %d lookups", a.Verdict, r.calls.Load())
	}
	for _, n := range StateNames {
		if s := a.States.Get(n); s == Blocked {
			t.Errorf("state %s is blocked", n)
		}
	}
}

// A refused endpoint blocks the endpoint state, and its problem is the last
// one, after whatever the caller includes (an edge header it read).
func TestAssessRefusedEndpoint(t *testing.T) {
	tg := readyTarget()
	tg.ReceiverOwner = ""
	a := Assess(context.Background(), tg, goodSecret, zapierResolver("10.1.2.3"))
	if a.Ready || a.Verdict == nil || a.Verdict.Safe || a.States.Endpoint != Blocked {
		t.Fatalf("a private answer in cloud mode passed: %+v", a)
	}
	edge := codes.NewProblem(codes.EdgeHeaderInvalid, "edge_auth.header", "bad header")
	a.Include(edge)
	got := codesOf(a.Problems)
	want := []codes.Code{codes.OwnerMissing, codes.EdgeHeaderInvalid, codes.URLUnsafe}
	if len(got) != len(want) {
		t.Fatalf("problems %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("problems %v, want %v", got, want)
		}
	}
	if last := a.Problems[len(a.Problems)-1]; last.Field != "webhook_url" || last.Reason != a.Verdict.Reason {
		t.Fatalf("the refusal is not last: %+v", last)
	}
}

// A URL or deployment mode already wrong is reported by Validate alone:
// no DNS lookup, no verdict, nothing pending.
func TestAssessSkipsTheNetworkWhenTheURLIsWrong(t *testing.T) {
	for name, edit := range map[string]func(*Target){
		"plain http":   func(t *Target) { t.BaseURL = "http://hooks.zapier.com/hooks/catch/1/abcdef/" },
		"no URL":       func(t *Target) { t.BaseURL = "" },
		"unknown mode": func(t *Target) { t.DeploymentMode = "moon" },
	} {
		tg := readyTarget()
		edit(&tg)
		r := zapierResolver("3.33.152.147")
		a := Assess(context.Background(), tg, goodSecret, r)
		if r.calls.Load() != 0 || a.Verdict != nil || a.Pending || a.Ready || a.States.Endpoint != Blocked {
			t.Errorf("%s: %d lookups, assessment %+v", name, r.calls.Load(), a)
		}
		if n := len(Validate(tg, goodSecret)); n != len(a.Problems) {
			t.Errorf("%s: %d problems, Validate finds %d", name, len(a.Problems), n)
		}
	}
}

// AssessWith without a verdict is pending and never ready; with a refused
// verdict it blocks like Assess; a URL Validate refused is reported once.
func TestAssessWith(t *testing.T) {
	tg := readyTarget()
	a := AssessWith(tg, goodSecret, nil)
	if !a.Pending || a.Ready || len(a.Problems) != 0 || a.States.Endpoint != Ready {
		t.Fatalf("no verdict yet: %+v", a)
	}
	v := CheckEndpoint(context.Background(), tg, zapierResolver("10.1.2.3"))
	if a = AssessWith(tg, goodSecret, &v); a.Pending || a.Ready || a.States.Endpoint != Blocked || len(a.Problems) != 1 {
		t.Fatalf("refused verdict: %+v", a)
	}
	same := Assess(context.Background(), tg, goodSecret, zapierResolver("10.1.2.3"))
	if len(same.Problems) != 1 || same.Problems[0] != a.Problems[0] || same.States != a.States {
		t.Fatalf("AssessWith and Assess disagree: %+v, %+v", a, same)
	}
	tg.BaseURL = "http://hooks.zapier.com/x"
	v.Safe = false
	if a = AssessWith(tg, goodSecret, &v); len(codesOf(a.Problems)) != 1 || a.Problems[0].Reason == v.Reason {
		t.Fatalf("the URL is reported twice: %+v", a.Problems)
	}
}
