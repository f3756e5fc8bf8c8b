package delivery

import (
	"fmt"

	"github.com/webriskops/webhook-setup/core/codes"
)

// RunError is the error a run ends with, most serious first: a delivery
// blocked by safety (exit 3), a signature the receiver rejected (exit 5),
// a delivery that failed (exit 4), deliveries still queued when the wait
// ended (exit 75, generic_webhook_delivery_queued: nothing failed, drain
// finishes them). nil when everything was delivered.
func RunError(sum Summary, fallbackDir string) *codes.Error {
	var blocked, signature *Report
	if sum.Failed+sum.Blocked > 0 {
		_ = sum.Each(func(r Report) error {
			switch {
			case r.Status == StatusBlocked && blocked == nil:
				blocked = &r
			case r.Status == StatusFailed && r.LastCode == string(codes.SignatureInvalid) && signature == nil:
				signature = &r
			}
			return nil
		})
	}
	total := sum.Total()
	bundles := fmt.Sprintf("fallback bundles are in %s", fallbackDir)
	switch {
	case blocked != nil:
		code := codes.Code(blocked.LastCode)
		if codes.Info(code).Exit != codes.ExitBlocked {
			code = codes.BaseURLBlocked
		}
		return codes.Errorf(code, "%d of %d deliveries blocked (first: %s); %s", sum.Blocked, total, blocked.ID, bundles).
			WithFix(code.Fix() + " Then run webhook-setup deliveries retry ID.")
	case signature != nil:
		return codes.Errorf(codes.SignatureInvalid, "the receiver rejected the signature of %d of %d deliveries (first: %s); %s",
			sum.Failed, total, signature.ID, bundles)
	case sum.Failed > 0:
		return codes.Errorf(codes.DeliveryFailed, "%d of %d deliveries failed; %s", sum.Failed, total, bundles).
			WithFix("Read README.txt in each bundle; fix the cause, then run webhook-setup deliveries retry ID.")
	case sum.Pending > 0:
		return codes.Errorf(codes.DeliveryQueued, "%d of %d deliveries still queued; run deliveries drain", sum.Pending, total)
	}
	return nil
}

// TestSendExit is the code a test send exits with: none when delivered,
// the refusal's own for URL safety, a host that does not resolve and
// missing secrets (exit 3), the signature's (exit 5),
// WEBHOOK_DELIVERY_FAILED (exit 4) for everything else.
func TestSendExit(delivered bool, code codes.Code) codes.Code {
	switch {
	case delivered || code == "":
		return ""
	case code == codes.SignatureInvalid || code == codes.HostUnresolved ||
		codes.Info(code).Exit == codes.ExitBlocked && Blocks(code):
		return code
	}
	return codes.DeliveryFailed
}
