package wizard

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/huh"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/recipes"
	"github.com/webriskops/webhook-setup/core/signing"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// backOption is offered in every choice of a step: going back never
// loses answers.
var backOption = [2]string{"back", "Back to the previous step"}

// problemErr turns a core problem into the text huh prints under a
// prompt before asking again.
func problemErr(p *codes.Problem) error {
	if p == nil {
		return nil
	}
	return fmt.Errorf("Problem %s: %s\n  Fix: %s", p.Code, clean(p.Reason), clean(wizardFix(*p, true)))
}

// setup runs the steps from step until the target is saved, or the
// operator goes back past the first step.
func (ui *lineUI) setup(a *answers, step stepID) error {
	for step != "" {
		count, _ := stepCount(a.Mode, step)
		ui.heading("New target › " + count + " · " + step.Title())
		next, err := ui.step(a, step)
		switch {
		case errors.Is(err, errBack):
			step = prevStep(a.Mode, step)
			continue
		case err != nil:
			return err
		}
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
	case stepProvider:
		err = ui.provider(a)
	case stepMode:
		err = ui.mode(a)
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

func (ui *lineUI) provider(a *answers) error {
	opts := make([][2]string, 0, len(core.Providers)+1)
	for _, p := range core.Providers {
		opts = append(opts, [2]string{string(p.Key), string(p.Key) + ": " + p.Description})
	}
	v, err := ui.choose("Provider key", string(a.Provider), append(opts, backOption)...)
	if err != nil {
		return err
	}
	if v == "back" {
		return errBack
	}
	a.Provider = core.ProviderKey(v)
	return nil
}

func (ui *lineUI) mode(a *answers) error {
	opts := make([][2]string, 0, len(core.Modes)+1)
	for _, m := range core.Modes {
		opts = append(opts, [2]string{string(m.Mode), string(m.Mode) + ": " + m.Description})
	}
	v, err := ui.choose("Deployment mode", string(a.Mode), append(opts, backOption)...)
	if err != nil {
		return err
	}
	if v == "back" {
		return errBack
	}
	a.Mode = core.Mode(v)
	return nil
}

// endpoint asks for the URL, then checks it (DNS included) before going
// on; a refusal shows its code, reason and fix and asks again.
func (ui *lineUI) endpoint(a *answers) error {
	ui.printf("Paste the webhook_url exactly as Zapier, Make, n8n or the internal receiver gave it.\n%s\n", modeRule(a.Mode))
	for {
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
		if err != nil {
			return err
		}
		if trimmed {
			ui.printf("Removed surrounding whitespace from the URL.\n")
		}
		a.URL = v
		t := a.Target()
		ui.printf("Checking %s…\n", clean(endpointHost(v)))
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
		again, err := ui.choose("The endpoint was refused.", "", [2]string{"again", "Enter the URL again"}, backOption)
		if err != nil {
			return err
		}
		if again == "back" {
			return errBack
		}
	}
}

// secret generates or reads the signing secret; a generated one is shown
// once and the step waits until the operator says it is stored.
func (ui *lineUI) secret(a *answers) error {
	opts := [][2]string{
		{"generate", "Generate one (recommended)"},
		{"paste", "Paste one (it is not echoed)"},
	}
	if a.Secret != "" && signing.CheckSecret(a.Secret) == nil && (!a.SecretGenerated || a.SecretStored) {
		opts = append([][2]string{{"keep", "Keep the current secret, " + signingSummary(a.Secret)}}, opts...)
	}
	v, err := ui.choose("Signing secret", "", append(opts, backOption)...)
	if err != nil {
		return err
	}
	switch v {
	case "back":
		return errBack
	case "keep":
		return nil
	case "generate":
		s, err := ui.generate()
		if err != nil {
			return err
		}
		a.Secret, a.SecretGenerated, a.SecretStored = s, true, true
	default:
		s, err := ui.pasteSecret()
		if err != nil {
			return err
		}
		a.Secret, a.SecretGenerated, a.SecretStored = s, false, true
	}
	ui.printf("Signing: %s\n", signingSummary(a.Secret))
	return nil
}

// generate shows a new secret once and waits for the operator to confirm
// it is stored in the receiver.
func (ui *lineUI) generate() (string, error) {
	s, err := signing.Generate()
	if err != nil {
		return "", err
	}
	ui.printf("Generated signing secret, shown once. Store it in the receiver now (the recipes read %s):\n%s\n", recipes.SecretEnv, s)
	for {
		ok, err := ui.confirm("Is the secret stored in the receiver?")
		if err != nil {
			return "", err
		}
		if ok {
			return s, nil
		}
		ui.printf("The setup waits until the secret is stored in the receiver.\n")
	}
}

// pasteSecret reads a secret without echo and checks it as the core does.
func (ui *lineUI) pasteSecret() (string, error) {
	var v string
	in := huh.NewInput().Title("Signing secret (hidden):").EchoMode(huh.EchoModePassword).Value(&v).
		Validate(func(s string) error {
			if t := strings.TrimSpace(s); t != s {
				ui.printf("Removed surrounding whitespace from the secret.\n")
			}
			return problemErr(signing.CheckSecret(strings.TrimSpace(s)))
		})
	if err := ui.run(in); err != nil {
		return "", err
	}
	return strings.TrimSpace(v), nil
}

// receiver asks the operator to confirm each of the six header checks,
// with the recipe on request.
func (ui *lineUI) receiver(a *answers) error {
	name := recipes.ForProviderKey(string(a.Provider))
	if name == "" {
		name = "node"
	}
	for {
		ui.printf("Confirm that the receiver verifies each header before it creates downstream work.\n")
		v, err := ui.choose("Receiver checks", "", [2]string{"confirm", "Confirm the six checks"},
			[2]string{"recipe", "Show the " + name + " verification recipe"}, extrasOption(a), backOption)
		if err != nil {
			return err
		}
		switch v {
		case "back":
			return errBack
		case "recipe":
			step := &receiverStep{a: a}
			ui.verbatim(cleanText(step.recipe()))
			continue
		case "extras":
			if err := ui.receiverExtras(a); err != nil {
				return err
			}
			continue
		}
		a.Checks = nil
		for _, h := range receiverHeaders {
			ok, err := ui.confirm(fmt.Sprintf("Does the receiver check %s (%s)?", h, headerChecks[h]))
			if err != nil {
				return err
			}
			if ok {
				a.Checks = append(a.Checks, h)
			}
		}
		if ps := a.FieldProblems("receiver_checks_confirmed"); len(ps) > 0 {
			ui.problems(ps...)
			continue
		}
		return nil
	}
}

// network asks for the private-network approval of a self-hosted target.
func (ui *lineUI) network(a *answers) error {
	ui.printf("Warning: evidence (ticket exports with report findings) will be posted to this private network. Approve a route only when the customer has authorized it.\n")
	policy := a.Policy
	if needs := a.pendingApproval(); needs != nil {
		ui.printf("%s\n", approvalView(ui.e.st, needs, 0))
		if policy == "" {
			policy = core.PolicyAllowlist // as the full-screen step opens
		}
	}
	for {
		v, err := ui.choose("Private network policy", string(policy),
			[2]string{string(core.PolicyDeny), "deny: the endpoint must be public HTTPS"},
			[2]string{string(core.PolicyAllowlist), "allowlist: approve private CIDRs or host names"}, backOption)
		if err != nil {
			return err
		}
		if v == "back" {
			return errBack
		}
		a.Policy = core.NetworkPolicy(v)
		policy = a.Policy
		if a.Policy == core.PolicyAllowlist {
			if err := ui.allowlist(a); err != nil {
				return err
			}
			by, err := ui.ask("Authorized by (who approved this route)", a.AuthorizedBy, nil)
			if err != nil {
				return err
			}
			a.AuthorizedBy = by
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
	ui.printf("Private CIDRs inside 10/8, 172.16/12, 192.168/16, 100.64/10 or fc00::/7, or host names (exact or *.suffix). An empty line ends the list.\n")
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

func (ui *lineUI) owner(a *answers) error {
	owner, err := ui.ask("Receiver owner (who owns the receiving endpoint)", a.Owner,
		fieldCheck(a, "receiver_owner", func(c *answers, v string) { c.Owner = v }))
	if err != nil {
		return err
	}
	a.Owner = owner
	path, err := ui.ask("Revoke path (where the receiver URL and secret are rotated or deleted)", a.RevokePath,
		fieldCheck(a, "revoke_path", func(c *answers, v string) { c.RevokePath = v }))
	if err != nil {
		return err
	}
	a.RevokePath = path
	return nil
}

// fieldCheck returns a validator that applies the core's rules for one
// field to a candidate value, on a copy of the answers.
func fieldCheck(a *answers, field string, set func(*answers, string)) func(string) error {
	return func(v string) error {
		c := *a
		set(&c, strings.TrimSpace(v))
		if ps := c.FieldProblems(field); len(ps) > 0 {
			return problemErr(&ps[0])
		}
		return nil
	}
}

// review prints the summary and readiness, then saves, or sends the
// operator to the step to fix. It returns "" once saved.
func (ui *lineUI) review(a *answers) (stepID, error) {
	for {
		t := a.Target()
		st := ui.e.st
		for _, l := range []string{
			field(st, "endpoint host", endpointHost(t.BaseURL)),
			field(st, "provider key", string(t.ProviderKey)),
			field(st, "signing", core.SigningSummary(t.Signing)),
			field(st, "receiver owner", t.ReceiverOwner),
			field(st, "revoke path", t.RevokePath),
			field(st, "deployment mode", string(t.DeploymentMode)),
			field(st, "private network", networkSummary(t)),
			field(st, "name", t.Name),
		} {
			ui.printf("%s\n", l)
		}
		ctx, cancel := ui.e.cmdCtx(checkTimeout)
		assessed := a.Assess(ctx, ui.e.resolver)
		cancel()
		states, blockers := assessed.States, assessed.Problems
		ui.printf("Readiness:\n")
		for _, n := range core.StateNames {
			ui.printf("  %s: %s\n", n, strings.ReplaceAll(string(states.Get(n)), "_", " "))
		}
		opts := [][2]string{}
		if len(blockers) == 0 {
			ui.printf("Ready to save.\n")
			opts = append(opts, [2]string{"save", "Save " + clean(t.Name)})
		} else {
			ui.printf("To fix before saving:\n")
			for _, p := range blockers {
				s := stepForProblem(p, assessed.Verdict)
				ui.printf("- %s: %s\n  Fix: %s (step %d, %s)\n", p.Code, clean(p.Reason), clean(wizardFix(p, true)), position(a.Mode, s), s.Title())
			}
		}
		opts = append(opts, [2]string{"name", "Edit the name"})
		for i, s := range flow(a.Mode) {
			if s != stepReview {
				opts = append(opts, [2]string{string(s), fmt.Sprintf("Go to step %d, %s", i+1, s.Title())})
			}
		}
		v, err := ui.choose("Review and save", "", opts...)
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
		case "name":
			name, err := ui.ask("Target name", t.Name, func(v string) error { return problemErr(core.ValidateName(strings.TrimSpace(v))) })
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

// save stores the target with the URL safety decision v of its Review,
// removes the draft and offers a test send.
func (ui *lineUI) save(a *answers, v *urlsafe.Verdict) (bool, error) {
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
	ui.printf("Saved %s. The unfinished setup is cleared.%s%s\n", clean(t.Name), whsecHint(t), nextSteps(t))
	return true, ui.testSend(t)
}
