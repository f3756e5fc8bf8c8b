package wizard

import (
	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// The plain-prompt edit of a saved target (edit.go has the rules): the
// same answers, the same Review, steps that return to Review, the secret
// kept, and the save that updates the target at the version read.

// edit opens Review with t's saved values. An unfinished setup saved as
// the draft is replaced, so it asks first.
func (ui *lineUI) edit(t core.Target) error {
	ctx, cancel := ui.e.cmdCtx(storeTimeout)
	has, err := ui.e.store.HasDraft(ctx, ui.e.draftID)
	cancel()
	if err != nil {
		return err
	}
	if has {
		ok, err := ui.confirm("An unfinished setup is saved. Replace it with this edit?")
		if err != nil || !ok {
			return err
		}
	}
	a := editAnswers(t)
	ui.saveDraft(a, stepReview)
	ui.printf("Editing %s. The signing secret stays (Rotate secret changes it).\n", clean(t.Name))
	return ui.setup(a, stepReview)
}

// editNext is where the plain-prompt flow goes after step s answered
// next: an edit goes back to Review, except to Private network when the
// mode just became self-hosted (that step was never answered).
func editNext(a *answers, s stepID, next stepID) stepID {
	if !a.editsSaved() || next == "" || s == stepReview {
		return next
	}
	if s == stepMode && a.Mode == core.ModeSelfHosted && a.Policy == "" {
		return stepNetwork
	}
	return stepReview
}

// keptSecret is the Signing secret step of an edit: it says the secret
// stays and how to change it.
func (ui *lineUI) keptSecret(a *answers) error {
	ui.printf("%s.\n", keptSecretLine(a))
	ui.printf("%s\n", keptSecretText(ui.e, a.Edit.Saved.Name))
	return nil
}

// saveEdit updates the edited target with the decision v of its Review
// and removes the draft. A refusal (a change made meanwhile, a taken
// name) is printed and Review asked again.
func (ui *lineUI) saveEdit(a *answers, v *urlsafe.Verdict) (bool, error) {
	t := a.editTarget(v, ui.e)
	ctx, cancel := ui.e.cmdCtx(storeTimeout)
	defer cancel()
	changed, err := ui.e.store.UpdateTargetWithEdge(ctx, &t, a.EdgeValue, ui.e.actor)
	if err != nil {
		p := codes.ProblemOf(err)
		if p.Code == codes.Conflict {
			p.Fix = "Choose Leave without saving, then Edit a target again: it opens with the newer version."
		}
		ui.problems(p)
		return false, nil
	}
	_ = ui.e.store.DeleteDraft(ctx, ui.e.draftID)
	ui.draftKept = false
	ui.printf("%s\n", editSavedNotice(t, changed))
	return true, nil
}

// leaveEdit ends an edit without saving and removes its draft.
func (ui *lineUI) leaveEdit(a *answers) error {
	ctx, cancel := ui.e.cmdCtx(storeTimeout)
	defer cancel()
	_ = ui.e.store.DeleteDraft(ctx, ui.e.draftID)
	ui.draftKept = false
	ui.printf("Nothing was saved; the edit of %s is discarded.\n", clean(a.Edit.Saved.Name))
	return nil
}
