package wizard

import "testing"

// The heading's count never switches under the operator: steps 1 and 2
// give only their number (the total depends on the mode chosen at step 2),
// and from the choice on the total is the flow's own, 7 or 8, on every
// step, going back included.
func TestStepCountIsOneCountForTheFlow(t *testing.T) {
	d := newDriver(t, newFakeStore())
	d.key("n")
	d.at(stepProvider)
	d.want("New target › Step 1 · Provider key")
	d.wantNot(" of 7", " of 8")
	d.key("enter")
	d.want("New target › Step 2 · Deployment mode")
	d.wantNot(" of 7", " of 8")
	d.key("down", "enter") // self-hosted
	d.at(stepEndpoint)
	d.want("New target › Step 3 of 8 · Endpoint URL")
	d.key("esc")
	d.at(stepMode)
	d.want("New target › Step 2 of 8 · Deployment mode")
	d.key("esc")
	d.want("New target › Step 1 of 8 · Provider key")

	d = newDriver(t, newFakeStore())
	toEndpoint(d, 0, 0) // cloud
	d.want("New target › Step 3 of 7 · Endpoint URL")
}
