package delivery

import (
	"testing"

	"github.com/webriskops/webhook-setup/core/codes"
)

func TestCheckWorkers(t *testing.T) {
	for _, n := range []int{1, DefaultWorkers, MaxWorkers} {
		if err := CheckWorkers(n); err != nil {
			t.Errorf("--workers %d refused: %v", n, err)
		}
	}
	for _, n := range []int{-1, 0, MaxWorkers + 1} {
		err := CheckWorkers(n)
		if err == nil || codes.AsError(err).Code != codes.Usage || codes.ExitCode(err) != codes.ExitUsage {
			t.Errorf("--workers %d: %v", n, err)
		}
	}
}
