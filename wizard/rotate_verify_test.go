package wizard

import (
	"context"
	"sync"
	"testing"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

// fakeVerifier records verified-rotation probes and answers with res; the
// real one (ui.wizardSender.VerifyRotation) is rotate-secret --verify-only,
// tested end to end in e2e/rotate_verify_test.go.
type fakeVerifier struct {
	mu      sync.Mutex
	targets []string
	retire  []bool
	res     TestResult
}

func (f *fakeVerifier) VerifyRotation(_ context.Context, t core.Target, retireOld bool) (TestResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.targets, f.retire = append(f.targets, t.Name), append(f.retire, retireOld)
	return f.res, nil
}

// TestRotateThenVerify: after a rotation, v sends the probe (asking to
// retire the old secret) and shows the outcome: accepted says so and
// offers v no more; refused shows the code and that the old secret is kept.
func TestRotateThenVerify(t *testing.T) {
	for _, c := range []struct {
		name string
		res  TestResult
		want []string
	}{
		{"accepted", TestResult{OK: true, Summary: "New secret verified by the receiver at 2026-12-06T12:00:00Z. The previous secret is retired: only the new one signs now."},
			[]string{"verified by the receiver", "only the new one signs now"}},
		{"refused", TestResult{Summary: "The receiver did not accept the new secret.",
			Problem: &codes.Problem{Code: codes.RotationUnverified, Reason: "401 WEBHOOK_SIGNATURE_INVALID", Fix: "Store the new secret in the receiver."}},
			[]string{"did not accept", "previous secret was kept", string(codes.RotationUnverified), "v verify"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := newFakeStore()
			st.targets["zap-tickets"] = readyTarget("zap-tickets")
			v := &fakeVerifier{res: c.res}
			d := newDriver(t, st, func(e *env) { e.verifier = v })
			d.key("r", "enter", "y")
			d.want("✓ Rotated", "press v", "v verify and retire old secret")
			d.key("v")
			if len(v.targets) != 1 || v.targets[0] != "zap-tickets" || len(v.retire) != 1 || !v.retire[0] {
				t.Fatalf("probes: %v retire %v", v.targets, v.retire)
			}
			d.want(c.want...)
			if c.res.OK {
				d.wantNot("v verify")
			}
		})
	}
}

// TestRotateWithoutVerifierOffersNoProbe: with no verifier the rotate
// screen does not offer v.
func TestRotateWithoutVerifierOffersNoProbe(t *testing.T) {
	st := newFakeStore()
	st.targets["zap-tickets"] = readyTarget("zap-tickets")
	d := newDriver(t, st)
	d.key("r", "enter", "y")
	d.want("✓ Rotated")
	d.wantNot("press v", "v verify")
}
