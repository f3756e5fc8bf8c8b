package wizard

import (
	"fmt"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

// The catalog's fixes are written for every front end at once, so many of
// them name command-line flags (--owner, --allow-confusable-host,
// --secret-env…). Inside the wizard a flag is no help: the operator cannot
// pass one to the screen in front of them. This file is the one place
// that says how the wizard words such a fix instead: the step, field or
// key that does the same thing here. Every front end of the wizard draws
// fixes through wizardFix.
//
// Codes whose fix keeps its flags (wizardFlagFixes) are listed with the
// reason, so a new catalog fix that names a flag is either worded here or
// said to need none (TestWizardFixesNameNoFlags).

// fixWording is a fix as the wizard says it: on the full-screen wizard
// (screen) and, when it differs because keys are not pressed there, in
// the plain prompts (prompts).
type fixWording struct {
	screen, prompts string
}

// wizardFixes holds the wizard's wording of every catalog fix that names a
// flag, or a command the wizard's own screens replace (webhook-setup
// recipe, webhook-setup list), and that a wizard screen can show.
var wizardFixes = map[codes.Code]fixWording{
	codes.SecretMissing: {screen: "Add a signing secret in the Signing secret step: Generate one, or Paste one."},
	codes.SecretWeak: {screen: "Use 32 to 256 printable ASCII characters without spaces, or choose Generate one (esc goes back to the choice).",
		prompts: "Use 32 to 256 printable ASCII characters without spaces, or choose Generate one."},
	codes.AuthorizedByNeeded: {screen: "Record the person or ticket that approved posting evidence to that network, in the Private network step's authorized by field."},
	codes.ReceiverChecks: {screen: "Set up receiver verification (v in Receiver checks shows the recipe), then tick the six headers there.",
		prompts: "Set up receiver verification (Show the verification recipe in Receiver checks prints it), then confirm the six headers there."},
	codes.TargetNotFound: {screen: "Choose a saved target from the list on Integration status.",
		prompts: "Type the name of a saved target as Integration status lists it."},
	codes.RevokePathMissing: {screen: "Say where the receiver URL and secret are rotated or deleted, in the Revoke path field."},
	codes.OwnerMissing:      {screen: "Say who owns the receiver, in the Receiver owner field."},
	codes.HostLookAlike: {screen: "Compare the host letter by letter with what the receiver gave you and retype it; if it is really the receiver's host, press ctrl+y to confirm it.",
		prompts: "Compare the host letter by letter with what the receiver gave you and retype it; if it is really the receiver's host, answer yes when the Endpoint URL step asks."},
	codes.HostUnresolved: {screen: "Check the host name for typos and this machine's DNS; on a machine without DNS, press ctrl+r (resolve as) and give the host's addresses for the URL's port.",
		prompts: "Check the host name for typos and this machine's DNS; on a machine without DNS, choose Resolve … as addresses you give, and give the host's addresses for the URL's port."},
	codes.ResolveInvalid: {screen: "Give 1 to 16 IP addresses, separated by commas or spaces, for a URL with a host name (ctrl+r); or leave the answer blank to use DNS.",
		prompts: "Give 1 to 16 IP addresses, separated by commas or spaces, for a URL with a host name; a blank answer goes back to the URL."},
	codes.EdgeValueMissing: {screen: "Give both the header name and its value in Receiver checks' Edge header (tab switches between them), or leave both empty for none."},
	codes.RotationUnverified: {screen: "Store the new secret in the receiver (its fingerprint is shown), then press v to verify again; the previous secret keeps signing until its grace ends.",
		prompts: "Store the new secret in the receiver (its fingerprint is shown), then verify again; the previous secret keeps signing until its grace ends."},
	codes.SecretUnchanged: {screen: "Rotate to a new secret: generate one, or paste one that is not in use."},
	codes.NameTaken: {screen: "Press e to choose another name.",
		prompts: "Choose Edit the name and give another one."},
}

// wizardFlagFixes are the catalog codes whose fix names a flag and that
// need no wizard wording, each with why.
var wizardFlagFixes = map[codes.Code]string{
	codes.Usage:          "a command line only",
	codes.URLMissing:     "targets files only",
	codes.StoreUnsafe:    "how the wizard is started: --db is the fix",
	codes.BundleLeak:     "support bundle only",
	codes.DeliveryQueued: "export --wait only",
}

// wizardFix is the fix to show for p. A fix a screen wrote for the case
// in hand (not the catalog's) is kept; the catalog's fix of a code in
// wizardFixes is replaced by the wizard's wording.
func wizardFix(p codes.Problem, prompts bool) string {
	w, ok := wizardFixes[p.Code]
	if !ok || (p.Fix != "" && p.Fix != p.Code.Fix()) {
		return p.Fix
	}
	if prompts && w.prompts != "" {
		return w.prompts
	}
	return w.screen
}

// savedTargetFix is the fix of a problem that blocks a saved target, as
// the home list words it: e opens the target in the wizard (edit.go) and
// the step named is where the problem is fixed, then the wizard's wording
// of the fix. The step comes first, so a fix cut at the terminal's edge
// still says where to go.
func savedTargetFix(p codes.Problem, mode core.Mode) string {
	s := stepForProblem(p, nil)
	where := "press e"
	if n := position(mode, s); n > 0 {
		where = fmt.Sprintf("press e, step %d %s", n, s.Title())
	}
	fix := wizardFix(p, false)
	if fix == "" {
		return where
	}
	return where + ": " + fix
}
