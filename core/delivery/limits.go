package delivery

import "github.com/webriskops/webhook-setup/core/codes"

// MaxWorkers bounds the attempts a run has in flight at once (--workers of
// export and deliveries drain; DefaultWorkers when not given).
const MaxWorkers = 64

// CheckWorkers refuses a --workers value outside 1..MaxWorkers.
func CheckWorkers(n int) error {
	if n < 1 || n > MaxWorkers {
		return codes.Errorf(codes.Usage, "--workers %d is outside 1..%d", n, MaxWorkers)
	}
	return nil
}
