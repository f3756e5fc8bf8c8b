package delivery

import (
	"testing"
	"time"
)

// TestEstimateRun: the case (2,000 at 20/s within 60 s) leaves the
// share the pacer cannot start; a pace that finishes in time leaves none.
func TestEstimateRun(t *testing.T) {
	e := EstimateRun(2000, 20, 60*time.Second)
	if e.PerSecond != 18 || e.Left != 2000-1080 || e.Needed.Round(time.Second) != 111*time.Second {
		t.Fatalf("2,000 at 20/s: %+v", e)
	}
	if e := EstimateRun(100, 20, 60*time.Second); e.Left != 0 {
		t.Fatalf("100 at 20/s: %+v", e)
	}
	if e := EstimateRun(100, 0, time.Second); e.Left != 0 || e.Needed != 0 {
		t.Fatalf("unpaced: %+v", e)
	}
}
