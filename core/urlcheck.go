package core

import (
	"strings"
	"time"

	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// URLCheck is the URL safety decision a target was saved with: the verdict,
// the host and the addresses it was judged on, and when. It holds no URL,
// so it can be shown and audited as it is. Sends judge the URL again; this
// records what the operator saw when saving.
type URLCheck struct {
	Safe      bool      `json:"safe"`
	Code      string    `json:"code,omitempty"` // "" when safe
	Host      string    `json:"host"`
	Addresses []string  `json:"addresses"`
	CheckedAt time.Time `json:"checked_at"`
}

// URLCheckOf is the decision of verdict v, made at.
func URLCheckOf(v urlsafe.Verdict, at time.Time) *URLCheck {
	return &URLCheck{Safe: v.Safe, Code: v.Code, Host: v.Host, Addresses: append([]string(nil), v.Addresses...), CheckedAt: at.UTC()}
}

// Summary is the decision in one line, as audit events say it:
// "safe, hooks.example.com → 93.184.216.34, checked 2026-12-06 13:20 UTC".
func (c URLCheck) Summary() string {
	return c.Decision() + ", checked " + c.When()
}

// Decision is the verdict and what it was judged on: "safe,
// hooks.example.com → 93.184.216.34" (an address literal is named once).
func (c URLCheck) Decision() string {
	verdict := "safe"
	if !c.Safe {
		verdict = "blocked (" + c.Code + ")"
	}
	where := c.Host
	if len(c.Addresses) != 1 || c.Addresses[0] != c.Host {
		where += " → " + strings.Join(c.Addresses, " ")
	}
	return verdict + ", " + where
}

// When is the time of the decision, in UTC to the minute.
func (c URLCheck) When() string { return c.CheckedAt.UTC().Format("2006-01-02 15:04 UTC") }
