package wizard

import "github.com/webriskops/webhook-setup/core"

// nextSteps is what a saved target leads to, said once after saving in both
// front ends: a test send, then Webhook export, and the portable fallback
// when the endpoint cannot be reached or made safe.
func nextSteps(t core.Target) string {
	name := clean(t.Name)
	return " Next: a test send (Dry run first), then Webhook export: webhook-setup export " + name +
		" --ticket FILE; add --portable for the portable fallback (a signed bundle, nothing sent) when the endpoint cannot be reached or made safe."
}
