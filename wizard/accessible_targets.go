package wizard

import (
	"strings"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// pickTarget asks for a saved target by name and reads it.
func (ui *lineUI) pickTarget() (core.Target, bool, error) {
	name, err := ui.ask("Target name", "", func(v string) error {
		return problemErr(core.ValidateName(strings.TrimSpace(v)))
	})
	if err != nil {
		return core.Target{}, false, err
	}
	ctx, cancel := ui.e.cmdCtx(storeTimeout)
	defer cancel()
	t, err := ui.e.store.Target(ctx, name)
	if err != nil {
		ui.problems(codes.ProblemOf(err))
		return core.Target{}, false, nil
	}
	return t, true, nil
}

// targetAction runs open, test, rotate or disconnect on a target.
func (ui *lineUI) targetAction(action string) error {
	t, ok, err := ui.pickTarget()
	if err != nil || !ok {
		return err
	}
	switch action {
	case "open":
		ui.details(t)
		return nil
	case "edit":
		return ui.edit(t)
	case "test":
		return ui.testSend(t)
	case "rotate":
		return ui.rotate(t)
	case "disconnect":
		return ui.disconnect(t)
	}
	return nil
}

// details prints a target with its URL redacted; revealing it is asked.
func (ui *lineUI) details(t core.Target) {
	st := ui.e.st
	ui.heading("Target · " + clean(t.Name))
	r := core.Evaluate(t)
	for _, l := range detailFields(st, t, urlsafe.Redact(t.BaseURL)) {
		ui.printf("%s\n", l)
	}
	for _, n := range core.StateNames {
		ui.printf("  %s: %s\n", n, strings.ReplaceAll(string(r.States.Get(n)), "_", " "))
	}
	ui.problems(r.Blocked...)
	if w := core.LookAlikeWarning(t); w != "" {
		ui.printf("! %s\n", clean(w))
	}
	if ok, err := ui.confirm("Reveal the full webhook_url?"); err == nil && ok {
		ui.printf("webhook_url: %s\n", clean(t.BaseURL))
	}
}

// testSend offers a dry run, a rehearsal or a live send of t.
func (ui *lineUI) testSend(t core.Target) error {
	if ui.e.sender == nil {
		ui.printf("Test sends are available with `webhook-setup test-send %s`.\n", clean(t.Name))
		return nil
	}
	v, err := ui.choose("Test send", "skip",
		[2]string{"dry", "Dry run: sign a test delivery and show it; nothing is sent"},
		[2]string{"rehearsal", "Rehearsal: send to a local receiver you run"},
		[2]string{"live", "Live: send one test delivery to " + clean(endpointHost(t.BaseURL))},
		[2]string{"skip", "No test send now"})
	if err != nil || v == "skip" {
		return err
	}
	kind := dryRunKind()
	switch v {
	case "live":
		ui.printf("%s ", liveQuestion(t))
		answer, err := ui.line()
		if err != nil {
			return err
		}
		if !confirmsLive(answer) {
			ui.printf("Nothing sent.\n")
			return nil
		}
		kind = liveKind()
	case "rehearsal":
		u, err := ui.ask("Local receiver URL", "", nil)
		if err != nil {
			return err
		}
		ca, err := ui.ask("CA file (empty: the system's roots)", "", nil)
		if err != nil {
			return err
		}
		kind = rehearsalKind(u, ca)
	}
	ui.printf("Sending (%s)…\n", kind.Mode)
	ctx, cancel := ui.e.cmdCtx(testTimeout)
	res, err := ui.e.sender.TestSend(ctx, t, kind)
	cancel()
	if err != nil {
		ui.problems(codes.ProblemOf(err))
		return nil
	}
	ui.printf("%s\n", clean(res.Summary))
	if res.Request != "" {
		ui.verbatim(cleanText(res.Request))
	}
	if !res.OK && res.Problem != nil {
		ui.problems(*res.Problem)
	}
	return nil
}

// rotate replaces the signing secret of t.
func (ui *lineUI) rotate(t core.Target) error {
	ui.heading("Rotate secret · " + clean(t.Name))
	ui.printf("Current signing: %s. The previous secret keeps signing for %s.\n", core.SigningSummary(t.Signing), graceText(ui.e.grace))
	v, err := ui.choose("New signing secret", "", append(optionPairs(secretOptions("")), [2]string{"cancel", "Cancel"})...)
	if err != nil || v == "cancel" {
		return err
	}
	var secret string
	if v == secretOptGenerate {
		if secret, err = signing.Generate(); err != nil {
			return err
		}
		kept, err := ui.showGenerated(secret)
		if err != nil || !kept {
			return err
		}
	} else if secret, err = ui.pasteSecret(); err != nil {
		return err
	}
	ctx, cancel := ui.e.cmdCtx(storeTimeout)
	defer cancel()
	nt, err := ui.e.store.RotateSecret(ctx, t.Name, secret, ui.e.grace, ui.e.actor)
	if err != nil {
		ui.problems(codes.ProblemOf(err))
		return nil
	}
	ui.printf("Rotated. Now %s.\n", core.SigningSummary(nt.Signing))
	return nil
}

// disconnect shows the revoke path checklist and removes t once the
// operator types its name.
func (ui *lineUI) disconnect(t core.Target) error {
	ui.heading("Disconnect · " + clean(t.Name))
	ui.printf("Revoke path for %s (owner: %s). Work through it before disconnecting:\n", clean(t.Name), clean(t.ReceiverOwner))
	for i, step := range core.RevokeChecklist(t) {
		ui.printf("  %d. %s\n", i+1, clean(step))
	}
	name, err := ui.ask("Type the target name to disconnect it", "", nil)
	if err != nil {
		return err
	}
	if name != t.Name {
		ui.printf("The name does not match; nothing was changed.\n")
		return nil
	}
	ctx, cancel := ui.e.cmdCtx(storeTimeout)
	defer cancel()
	if err := ui.e.store.DeleteTarget(ctx, t.Name, ui.e.actor); err != nil {
		ui.problems(codes.ProblemOf(err))
		return nil
	}
	ui.printf("Disconnected %s: the target and its credentials are removed.\n", clean(t.Name))
	return nil
}
