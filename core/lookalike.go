package core

import (
	"net/url"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// LookAlikeWarning is the warning of t's host when it could pass for
// another host (urlsafe.LookAlikeHost), "" otherwise. It is recomputed
// from the URL wherever a target is shown (list, show, status, the
// wizard) and checked (CheckEndpoint), so it stays visible for as long as
// the target exists.
func LookAlikeWarning(t Target) string {
	u, err := url.Parse(t.BaseURL)
	if err != nil {
		return ""
	}
	if why := urlsafe.LookAlikeHost(u.Hostname()); why != "" {
		return "look-alike host: " + why
	}
	return ""
}

// LookAlikeProblem refuses t's look-alike host unless the operator
// confirmed it (t.AllowConfusableHost); nil otherwise. Validate (add,
// apply, the wizard), check-url and test-send --url ask it.
func LookAlikeProblem(t Target) *codes.Problem {
	if t.AllowConfusableHost {
		return nil
	}
	u, err := url.Parse(t.BaseURL)
	if err != nil {
		return nil
	}
	why := urlsafe.LookAlikeHost(u.Hostname())
	if why == "" {
		return nil
	}
	p := codes.NewProblem(codes.HostLookAlike, "webhook_url", why)
	return &p
}
