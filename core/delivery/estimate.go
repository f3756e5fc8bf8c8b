package delivery

import (
	"math"
	"time"
)

// Estimate is what a target's pace allows within a run's wait, worked out
// before anything is sent so the operator hears up front that part of an
// export will stay queued for deliveries drain.
type Estimate struct {
	// Count is how many deliveries the run has to send.
	Count int
	// PerSecond is the pace the runner keeps: the rate limit times the
	// Pacer's headroom. Zero means unpaced (no estimate).
	PerSecond float64
	// Needed is how long Count takes at PerSecond, first attempts only.
	Needed time.Duration
	// Left is about how many stay queued when the wait ends; zero when the
	// pace finishes in time.
	Left int
}

// EstimateRun works out how many of count deliveries a target paced at
// perSecond (its rate limit) can start within wait. Retries and slow
// receivers only make it worse, so Left is a lower bound.
func EstimateRun(count int, perSecond float64, wait time.Duration) Estimate {
	e := Estimate{Count: count}
	if perSecond <= 0 || count <= 0 {
		return e
	}
	e.PerSecond = perSecond * headroom
	e.Needed = time.Duration(float64(count) / e.PerSecond * float64(time.Second))
	if wait > 0 && e.Needed > wait {
		sent := int(math.Floor(wait.Seconds() * e.PerSecond))
		e.Left = max(count-sent, 0)
	}
	return e
}
