package wizard

import (
	"errors"
	"fmt"
	"strings"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/recipes"
	"github.com/webriskops/webhook-setup/core/signing"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// backOption is offered in every choice of a step: going back never
// loses answers.
var backOption = [2]string{"back", "Back to the previous step"}

// problemErr turns a core problem into the text a prompt prints under
// itself before asking again.
func problemErr(p *codes.Problem) error {
	if p == nil {
		return nil
	}
	return fmt.Errorf("Problem %s: %s\n  Fix: %s", p.Code, clean(p.Reason), clean(wizardFix(*p, true)))
}

// setup runs the steps from step until the target is saved, or the
// operator goes back past the first step. quit, and end of input, keep
// the answers as a draft at the step asked and say how to resume it.
func (ui *lineUI) setup(a *answers, step stepID) error {
	ui.saved = false
	ui.printf("%s\n", navHelp)
	for step != "" {
		title, _ := setupTitle(a, step)
		ui.heading(title)
		next, err := ui.step(a, step)
		switch {
		case errors.Is(err, errBack) && a.editsSaved():
			if step == stepReview {
				return ui.leaveEdit(a)
			}
			step = stepReview
			continue
		case errors.Is(err, errBack):
			step = prevStep(a.Mode, step)
			continue
		case (errors.Is(err, errQuit) || errors.Is(err, errEOF)) && !ui.saved:
			ui.saveDraft(a, step)
			ui.stopped = true
			if ui.draftKept {
				ui.printf("\nThe unfinished setup is kept as a draft. Run webhook-setup again and choose: %s.\n", resumeText(a.editName(), step, a.Mode, ui.e.now(), ui.e.now()))
			}
			return err
		case err != nil:
			return err
		}
		next = editNext(a, step, next)
		if next == "" {
			return nil // saved
		}
		ui.saveDraft(a, next)
		step = next
	}
	return nil
}

// step asks one step and returns the step to go to.
func (ui *lineUI) step(a *answers, s stepID) (stepID, error) {
	var err error
	switch s {
	case stepProvider, stepMode:
		err = ui.choice(a, s)
	case stepEndpoint:
		err = ui.endpoint(a)
	case stepSecret:
		err = ui.secret(a)
	case stepReceiver:
		err = ui.receiver(a)
	case stepNetwork:
		err = ui.network(a)
	case stepOwner:
		err = ui.owner(a)
	case stepReview:
		return ui.review(a)
	}
	if err != nil {
		return "", err
	}
	return nextStep(a.Mode, s), nil
}

// optionPairs are a definition's options as the accessible choice lists
// them: the value, and the label with its description.
func optionPairs(opts []option) [][2]string {
	out := make([][2]string, 0, len(opts)+1)
	for _, o := range opts {
		label := o.label
		if o.desc != "" {
			label += ": " + o.desc
		}
		out = append(out, [2]string{o.value, label})
	}
	return out
}

// choice asks the one-of-n question of step s from its definition, checked
// by the core, with Back as its last option.
func (ui *lineUI) choice(a *answers, s stepID) error {
	def := defOf(s)
	ui.printf("%s\n", def.intro)
	for {
		v, err := ui.choose(s.Title(), def.choice.get(a), append(optionPairs(def.choice.options(a)), backOption)...)
		if err != nil {
			return err
		}
		if v == backOption[0] {
			return errBack
		}
		if ps := def.choice.check(a, v); len(ps) > 0 {
			ui.problems(ps...)
			continue
		}
		def.choice.set(a, v)
		return nil
	}
}

// endpoint asks for the URL, then checks it (DNS included) before going
// on; a refusal shows its code, reason and fix and asks again. A host that
// does not resolve can be given addresses instead (resolve as), which are
// checked as DNS answers are.
func (ui *lineUI) endpoint(a *answers) error {
	ui.printf("%s\n%s\n", endpointIntro, modeRule(a.Mode))
	if a.URL == "" { // as the full-screen field's placeholder: the provider's shape of URL
		ui.printf("For example: %s\n", urlExample(a.Provider, a.Mode))
	}
	recheck := false // a new resolve answer: check the same URL again
	for {
		if !recheck {
			v, err := ui.askURL(a)
			if err != nil {
				return err
			}
			a.URL = v
		}
		recheck = false
		t := a.Target()
		ui.printf("Checking %s…\n", clean(endpointHost(a.URL)))
		ctx, cancel := ui.e.cmdCtx(checkTimeout)
		verdict := core.CheckEndpoint(ctx, t, ui.e.resolver)
		cancel()
		ui.printf("%s\n", verdictView(ui.e.st, verdict, a.Mode == core.ModeSelfHosted, 0))
		if acceptable(verdict, a.Mode) {
			a.noteVerdict(verdict)
			p := core.LookAlikeProblem(t)
			if p == nil {
				return nil
			}
			ui.problems(*p)
			c, err := ui.choose("The host looks like another one.", "",
				[2]string{"confirm", "It is the receiver's host: keep it (it stays marked in the target list)"},
				[2]string{"again", "Enter the URL again"}, backOption)
			if err != nil {
				return err
			}
			switch c {
			case "confirm":
				a.LookAlikeConfirmed = a.URL
				return nil
			case "back":
				return errBack
			}
			continue
		}
		ui.problems(*core.VerdictProblem(verdict))
		opts := [][2]string{{"again", "Enter the URL again"}}
		if resolveOffered(a, &verdict) {
			opts = append(opts, [2]string{"resolve", "Resolve " + core.ResolveFor(t) + " as addresses you give (a machine without DNS)"})
		}
		again, err := ui.choose("The endpoint was refused.", "", append(opts, backOption)...)
		if err != nil {
			return err
		}
		switch again {
		case "back":
			return errBack
		case "resolve":
			given, err := ui.resolveAs(a)
			if err != nil {
				return err
			}
			recheck = given
		}
	}
}

// askURL asks for the webhook URL (blank keeps the one given before).
func (ui *lineUI) askURL(a *answers) (string, error) {
	trimmed := false
	v, err := ui.ask("webhook_url", a.URL, func(v string) error {
		trimmed = trimmed || strings.TrimSpace(v) != v
		if strings.TrimSpace(v) == "" {
			if a.URL != "" {
				return nil
			}
			return problemErr(&a.FieldProblems("webhook_url")[0])
		}
		_, _, p := urlsafe.Parse(strings.TrimSpace(v))
		return problemErr(p)
	})
	if err == nil && trimmed {
		ui.printf("Removed surrounding whitespace from the URL.\n")
	}
	return v, err
}

// resolveAs asks for the addresses of the URL's host and port, checked as
// the full-screen field checks them; blank leaves the answer as it was and
// goes back to the URL. It reports whether an answer was given.
func (ui *lineUI) resolveAs(a *answers) (bool, error) {
	t := a.Target()
	back := func(v string) bool { v = strings.TrimSpace(v); return v == "" || strings.EqualFold(v, "back") }
	v, err := ui.ask("Addresses for "+core.ResolveFor(t)+" (commas or spaces between them; blank or back: enter the URL again)",
		"", func(v string) error {
			if back(v) {
				return nil
			}
			_, p := core.ParseResolve(v)
			return problemErr(p)
		})
	if errors.Is(err, errBack) {
		return false, nil // back here is back to the URL, as the prompt says
	}
	if err != nil || back(v) {
		return false, err
	}
	addrs, _ := core.ParseResolve(v)
	a.setResolve(addrs)
	ui.printf("Resolve as %s.\n", clean(core.ResolveLine(a.Target())))
	return true, nil
}

// secret generates or reads the signing secret; a generated one is shown
// once and the step waits until the operator says it is stored. back at
// the paste prompt, or when a shown secret is discarded, returns to the
// choice.
func (ui *lineUI) secret(a *answers) error {
	if a.editsSaved() {
		return ui.keptSecret(a)
	}
	ui.printf("%s\n", defOf(stepSecret).intro)
	if a.SecretGenerated && !a.SecretStored && signing.CheckSecret(a.Secret) == nil {
		// Resumed before the operator confirmed: show it again, as the
		// full-screen step does.
		kept, err := ui.showGenerated(a.Secret)
		if err != nil {
			return err
		}
		if kept {
			a.SecretStored = true
			ui.printf("Signing: %s\n", signingSummary(a.Secret))
			return nil
		}
		a.Secret, a.SecretGenerated = "", false
	}
	for {
		current := ""
		if !a.SecretGenerated || a.SecretStored {
			current = a.Secret
		}
		v, err := ui.choose(stepSecret.Title(), "", append(optionPairs(secretOptions(current)), backOption)...)
		if err != nil {
			return err
		}
		switch v {
		case backOption[0]:
			return errBack
		case secretOptKeep:
			return nil
		case secretOptGenerate:
			s, err := signing.Generate()
			if err != nil {
				return err
			}
			// Kept in the answers at once, so quitting here saves it in the
			// draft unconfirmed and a resume shows the same one.
			a.Secret, a.SecretGenerated, a.SecretStored = s, true, false
			kept, err := ui.showGenerated(s)
			if err != nil {
				return err
			}
			if !kept {
				a.Secret, a.SecretGenerated = "", false
				continue
			}
			a.SecretStored = true
		default:
			s, err := ui.pasteSecret()
			if errors.Is(err, errBack) {
				continue
			}
			if err != nil {
				return err
			}
			a.Secret, a.SecretGenerated, a.SecretStored = s, false, true
		}
		ui.printf("Signing: %s\n", signingSummary(a.Secret))
		return nil
	}
}

// scrollbackWarning is said under a generated secret: unlike the
// full-screen wizard's alternate screen, these prompts leave it in the
// terminal's history.
const scrollbackWarning = "Warning: the secret stays in this terminal's scrollback (and any session log). Clear the scrollback once the receiver has it."

// showGenerated prints a generated secret on a line of its own and waits
// until the operator says it is stored (kept true), offers to write it to
// a new 0600 file, and asks before discarding it (back; kept false).
func (ui *lineUI) showGenerated(s string) (kept bool, err error) {
	ui.printf("%s\n", secretShownWarning)
	ui.verbatim(s) // its own line, nothing around it: a copy takes only the secret
	ui.printf("Put it where the receiver reads it (the recipes read %s).\nSigning: %s\n%s\n", recipes.SecretEnv, signingSummary(s), scrollbackWarning)
	for {
		ui.printf("%s Type y once it is, f to write it to a new file (0600) named %s in the current folder, or back to discard it. [y/N/f] ", secretStoredPrompt, secretFileName)
		v, err := ui.line()
		switch {
		case errors.Is(err, errBack):
			discard, err := ui.confirm(secretDiscardQuestion)
			if err != nil && !errors.Is(err, errBack) {
				return false, err
			}
			if discard {
				return false, nil
			}
			continue
		case err != nil:
			return false, err
		}
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "y", "yes":
			return true, nil
		case "f":
			path, err := writeSecretFile(ui.e.secretDir, s)
			if err != nil {
				ui.problems(codes.ProblemOf(err))
				continue
			}
			ui.printf("%s\n", secretFileWritten(path))
		default:
			ui.printf("The setup waits until the secret is stored in the receiver.\n")
		}
	}
}

// pasteSecret reads a secret without echo and checks it as the core
// does. An empty line or back returns to the choice (errBack); quit and
// end of input leave as at every prompt.
func (ui *lineUI) pasteSecret() (string, error) {
	ui.printf("%s An empty line or back returns to the choice.\n", secretPasteIntro)
	for {
		v, err := ui.askHidden("Signing secret (hidden):")
		if err != nil {
			return "", err
		}
		t := strings.TrimSpace(v)
		if t == "" {
			return "", errBack
		}
		if t != v {
			ui.printf("Removed %d characters of surrounding whitespace from the pasted secret.\n", len(v)-len(t))
		}
		if p := signing.CheckSecret(t); p != nil {
			ui.problems(*p)
			continue
		}
		return t, nil
	}
}

// receiver asks the operator to confirm each of the six header checks,
// with the recipe on request; it says how many are confirmed and which
// are not, as the full-screen step does. back during the six questions
// returns to the step's menu.
func (ui *lineUI) receiver(a *answers) error {
	name := recipes.ForProviderKey(string(a.Provider))
	if name == "" {
		name = "node"
	}
	ui.printf("%s\n", defOf(stepReceiver).intro)
	for {
		ui.printf("%s\n", confirmedLine(a))
		v, err := ui.choose(stepReceiver.Title(), "", [2]string{"confirm", "Confirm the six checks"},
			[2]string{"recipe", "Show the " + name + " verification recipe"}, extrasOption(a), backOption)
		if err != nil {
			return err
		}
		switch v {
		case backOption[0]:
			return errBack
		case "recipe":
			step := &receiverStep{a: a}
			ui.verbatim(cleanText(step.recipe()))
			continue
		case "extras":
			if err := ui.receiverExtras(a); err != nil && !errors.Is(err, errBack) {
				return err
			}
			continue
		}
		checks, err := ui.askChecks()
		if errors.Is(err, errBack) {
			continue
		}
		if err != nil {
			return err
		}
		a.Checks = checks
		ui.printf("%s\n", confirmedLine(a))
		if ps := a.FieldProblems("receiver_checks_confirmed"); len(ps) > 0 {
			ui.problems(ps...)
			continue
		}
		return nil
	}
}

// askChecks asks about each of the six headers and returns those the
// operator confirms.
func (ui *lineUI) askChecks() ([]string, error) {
	var checks []string
	for _, h := range receiverHeaders {
		ok, err := ui.confirm(fmt.Sprintf("Does the receiver check %s (%s)?", h, headerChecks[h]))
		if err != nil {
			return nil, err
		}
		if ok {
			checks = append(checks, h)
		}
	}
	return checks, nil
}

// confirmedLine is "N of 6 confirmed", as the full-screen step counts.
func confirmedLine(a *answers) string {
	return fmt.Sprintf("%d of %d confirmed", a.confirmedCount(), len(receiverHeaders))
}

// network asks for the private-network approval of a self-hosted target:
// the policy from the step's definition, then for allowlist its entries
// and who authorized the route. back inside returns to the policy.
func (ui *lineUI) network(a *answers) error {
	def := defOf(stepNetwork)
	ui.printf("Warning: %s\n", def.intro)
	policy := a.Policy
	if needs := a.pendingApproval(); needs != nil {
		ui.printf("%s\n", approvalView(ui.e.st, needs, 0))
		if policy == "" {
			policy = core.PolicyAllowlist // as the full-screen step opens
		}
	}
	for {
		v, err := ui.choose("Private network policy", string(policy), append(optionPairs(def.choice.options(a)), backOption)...)
		if err != nil {
			return err
		}
		if v == backOption[0] {
			return errBack
		}
		def.choice.set(a, v)
		policy = a.Policy
		if a.Policy == core.PolicyAllowlist {
			err := ui.allowlist(a)
			if err == nil {
				var by string
				if by, err = ui.askField(a, authorizedByField); err == nil {
					authorizedByField.set(a, by)
				}
			}
			if errors.Is(err, errBack) {
				continue
			}
			if err != nil {
				return err
			}
		} else {
			a.Allowlist = nil
		}
		if ps := a.FieldProblems("private_network"); len(ps) > 0 {
			ui.problems(ps...)
			continue
		}
		return nil
	}
}

// allowlist reads entries one per line, each checked as it is given,
// until an empty line.
func (ui *lineUI) allowlist(a *answers) error {
	if len(a.Allowlist) > 0 {
		ui.printf("Allowlist: %s\n", clean(strings.Join(a.Allowlist, ", ")))
		keep, err := ui.confirm("Keep these entries?")
		if err != nil {
			return err
		}
		if keep {
			return nil
		}
	}
	a.Allowlist = nil
	ui.printf("%s An empty line ends the list.\n", allowlistHint)
	for len(a.Allowlist) < core.MaxAllowlistEntries {
		v, err := ui.ask("Allowlist entry", "", func(s string) error {
			if strings.TrimSpace(s) == "" {
				return nil
			}
			return problemErr(core.AllowlistEntryProblem(strings.TrimSpace(s)))
		})
		if err != nil {
			return err
		}
		if v == "" {
			return nil
		}
		a.Allowlist = append(a.Allowlist, v)
	}
	return nil
}

// owner asks the fields of the Receiver owner and revoke path step from
// their definitions: cleaned and checked exactly as the full-screen step
// does. back on the revoke path returns to the owner, on the owner to the
// step before.
func (ui *lineUI) owner(a *answers) error {
	ui.printf("%s\n", defOf(stepOwner).intro)
	for i := 0; i < len(ownerFields); {
		f := ownerFields[i]
		v, err := ui.askField(a, f)
		if errors.Is(err, errBack) && i > 0 {
			i--
			continue
		}
		if err != nil {
			return err
		}
		f.set(a, v)
		i++
	}
	return nil
}

// review prints the summary and readiness, then saves, or sends the
// operator to the step to fix. It returns "" once saved.
func (ui *lineUI) review(a *answers) (stepID, error) {
	for {
		t := a.Target()
		st := ui.e.st
		ui.reviewRows(a, t)
		ctx, cancel := ui.e.cmdCtx(checkTimeout)
		assessed := a.Assess(ctx, ui.e.resolver)
		cancel()
		for _, w := range reviewWarnings(a, assessed.Verdict) {
			ui.printf("! warning: %s\n", clean(w))
		}
		states, blockers := assessed.States, assessed.Problems
		ui.printf("Readiness:\n")
		for _, n := range core.StateNames {
			ui.printf("  %s: %s\n", n, strings.ReplaceAll(string(states.Get(n)), "_", " "))
		}
		opts := [][2]string{}
		if len(blockers) == 0 && a.editsSaved() {
			ui.printf("%s\n", editReadyLine(st, a, 0))
			opts = append(opts, [2]string{"save", "Save " + clean(t.Name)})
		} else if len(blockers) == 0 {
			ui.printf("Ready to save.\n")
			opts = append(opts, [2]string{"save", "Save " + clean(t.Name)})
		} else {
			ui.printf("To fix before saving:\n")
			for _, p := range blockers {
				s := stepForProblem(p, assessed.Verdict)
				ui.printf("- %s: %s\n  Fix: %s (step %d, %s)\n", p.Code, clean(p.Reason), clean(wizardFix(p, true)), position(a.Mode, s), s.Title())
			}
		}
		v, err := ui.choose("Review and save", "", append(opts, reviewMoves(a)...)...)
		if err != nil {
			return "", err
		}
		switch v {
		case "save":
			saved, err := ui.save(a, assessed.Verdict)
			if err != nil {
				return "", err
			}
			if saved {
				return "", nil
			}
		case "back":
			return "", errBack
		case "name":
			name, err := ui.ask("Target name", t.Name, func(v string) error { return problemErr(core.ValidateName(strings.TrimSpace(v))) })
			if errors.Is(err, errBack) {
				continue // back to the Review menu
			}
			if err != nil {
				return "", err
			}
			a.Name = name
		default:
			// Go to the step; the flow then continues from there.
			return stepID(v), nil
		}
	}
}

// reviewRows prints Review's summary of t, the target the answers a make.
func (ui *lineUI) reviewRows(a *answers, t core.Target) {
	st := ui.e.st
	lines := []string{
		field(st, "endpoint host", endpointHost(t.BaseURL)),
		field(st, "provider key", string(t.ProviderKey)),
		field(st, "signing", core.SigningSummary(t.Signing)),
		field(st, "receiver owner", t.ReceiverOwner),
		field(st, "revoke path", t.RevokePath),
		field(st, "deployment mode", string(t.DeploymentMode)),
		field(st, "private network", networkSummary(t)),
		field(st, "name", t.Name),
	}
	if a.editsSaved() {
		editRows(st, a, t, lines)
	}
	for _, l := range lines {
		ui.printf("%s\n", l)
	}
	if r := resolveRow(t); r != "" {
		ui.printf("%s\n", field(st, "resolve as", r))
	}
}

// reviewMoves are Review's choices after save: edit the name, leave an
// edit, or go to a step.
func reviewMoves(a *answers) [][2]string {
	opts := [][2]string{{"name", "Edit the name"}}
	if a.editsSaved() {
		opts = append(opts, [2]string{"back", "Leave without saving"})
	}
	for i, s := range flow(a.Mode) {
		if s != stepReview {
			opts = append(opts, [2]string{string(s), fmt.Sprintf("Go to step %d, %s", i+1, s.Title())})
		}
	}
	return opts
}

// save stores the target with the URL safety decision v of its Review,
// removes the draft and offers a test send.
func (ui *lineUI) save(a *answers, v *urlsafe.Verdict) (bool, error) {
	if a.editsSaved() {
		return ui.saveEdit(a, v)
	}
	t, secret := a.Target(), a.Secret
	t.Signing = nil
	if v != nil {
		t.URLCheck = core.URLCheckOf(*v, ui.e.now())
	}
	ctx, cancel := ui.e.cmdCtx(storeTimeout)
	defer cancel()
	if err := ui.e.store.CreateTargetWithEdge(ctx, &t, secret, a.EdgeValue, ui.e.actor); err != nil {
		ui.problems(codes.ProblemOf(err))
		return false, nil
	}
	_ = ui.e.store.DeleteDraft(ctx, ui.e.draftID)
	ui.draftKept = false
	ui.saved = true
	ui.printf("Saved %s. The unfinished setup is cleared.%s%s\n", clean(t.Name), whsecHint(t), nextSteps(t))
	if err := ui.testSend(t); err != nil && !errors.Is(err, errBack) {
		return true, err
	}
	return true, nil
}
