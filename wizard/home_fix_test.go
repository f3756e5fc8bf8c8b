package wizard

import (
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core"
)

// The codes under the home list name the wizard's way to fix a saved
// target: press e, the step (numbered as in the target's mode), then the
// wizard's wording of the fix; never a command-line flag.
func TestHomeBlockedCodesNameTheStepToEdit(t *testing.T) {
	st := newFakeStore()
	cloud := readyTarget("cloud-one")
	cloud.Signing, cloud.ReceiverChecksConfirmed, cloud.RevokePath = nil, false, ""
	st.targets[cloud.Name] = cloud
	self := readyTarget("self-one")
	self.DeploymentMode, self.ProviderKey, self.BaseURL = core.ModeSelfHosted, core.ProviderN8N, "https://10.20.1.5/webhook/x"
	self.PrivateNetwork = core.PrivateNetwork{Policy: core.PolicyAllowlist, Allowlist: []string{"10.20.0.0/16"}}
	st.targets[self.Name] = self
	d := newDriver(t, st)
	d.send(resize(120, 30))
	d.wantLine("  generic_webhook_secret_missing press e, step 4 Signing secret: Add a signing secret in the Signing secret step")
	d.wantLine("  generic_webhook_receiver_checks_unconfirmed press e, step 5 Receiver checks: Set up receiver verification")
	d.wantLine("  generic_webhook_revoke_path_missing press e, step 6 Receiver owner and revoke path: Say where the receiver URL")
	d.key("down")
	d.wantLine("  generic_webhook_private_network_unauthorized press e, step 6 Private network: Record the person or ticket")
	if s := d.screen(); strings.Contains(s, "--") || strings.Contains(s, "add:") {
		t.Fatalf("the home list names a command-line flag:\n%s", s)
	}
	// At 60 columns the fixes wrap under their codes while rows are
	// left, so the step is not cut off behind a long code.
	d.send(resize(60, 20))
	checkFits(t, d, 60, 20, "home")
	d.wantFlat("generic_webhook_private_network_unauthorized press e, step 6 Private network: Record the person or ticket")
	d.key("up")
	d.wantFlat("generic_webhook_receiver_checks_unconfirmed press e, step 5 Receiver checks: Set up receiver verification")
	t.Log("\n" + d.screen())
	d.key("down")
	// e opens that target's edit, where the step named fixes it.
	d.key("e")
	d.at(stepReview)
	d.want("self-one")
}
