package wizard

import (
	"time"

	"github.com/webriskops/webhook-setup/core"
)

// resumeText is how both front ends offer an unfinished setup: the step
// it stopped at by name and place ("Step 4 of 7", the count of the draft's
// mode) and when it was saved, e.g. "Resume unfinished setup at Signing
// secret (Step 4 of 7), saved 3 min ago". An unknown step or time is left
// out rather than guessed.
func resumeText(step stepID, mode core.Mode, at, now time.Time) string {
	what := "Resume unfinished setup"
	if validStep(step) {
		what += " at " + step.Title()
		if position(mode, step) > 0 {
			count, _ := stepCount(mode, step)
			what += " (" + count + ")"
		}
	}
	if !at.IsZero() {
		what += ", saved " + ago(now, at)
	}
	return what
}
