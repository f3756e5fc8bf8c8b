// Package doctor is the shape of a health report and the judgements that
// need no I/O: a verdict per check, each failure with its fix. The ui
// gathers the facts (store, DNS, TLS) and asks these functions to judge.
package doctor

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

// Verdict is the outcome of one check.
type Verdict string

// Verdicts: ok passes; warn is worth knowing and needs no action yet; fail
// needs action (its Fix says which); skip could not be checked (its
// Summary says why).
const (
	OK   Verdict = "ok"
	Warn Verdict = "warn"
	Fail Verdict = "fail"
	Skip Verdict = "skip"
)

// Check is one line of the report.
type Check struct {
	// ID names the check, stable for scripts: store.key_file,
	// target.url_policy, target.secret_age, ...
	ID      string     `json:"id"`
	Target  string     `json:"target,omitempty"`
	Verdict Verdict    `json:"verdict"`
	Summary string     `json:"summary"`
	Code    codes.Code `json:"code,omitempty"`
	Fix     string     `json:"fix,omitempty"`
}

// Report is the whole answer of doctor.
type Report struct {
	At      time.Time `json:"at"`
	Healthy bool      `json:"healthy"`
	Failed  int       `json:"failed"`
	Warned  int       `json:"warned"`
	Checks  []Check   `json:"checks"`
}

// NewReport counts the verdicts of checks.
func NewReport(at time.Time, checks []Check) Report {
	r := Report{At: at.UTC(), Checks: checks}
	if r.Checks == nil {
		r.Checks = []Check{}
	}
	for _, c := range checks {
		switch c.Verdict {
		case Fail:
			r.Failed++
		case Warn:
			r.Warned++
		}
	}
	r.Healthy = r.Failed == 0
	return r
}

// FailedChecks returns the checks that need action.
func (r Report) FailedChecks() []Check {
	var out []Check
	for _, c := range r.Checks {
		if c.Verdict == Fail {
			out = append(out, c)
		}
	}
	return out
}

// DefaultMaxSecretAge is the rotation.max_age default: 90 days.
const DefaultMaxSecretAge = 90 * 24 * time.Hour

// SecretAge judges the age of a target's current secret against maxAge.
func SecretAge(target string, created, now time.Time, maxAge time.Duration) Check {
	c := Check{ID: "target.secret_age", Target: target}
	if created.IsZero() {
		c.Verdict, c.Summary, c.Code = Fail, "no signing secret is stored", codes.SecretMissing
		c.Fix = codes.SecretMissing.Fix()
		return c
	}
	age := now.Sub(created)
	c.Summary = fmt.Sprintf("the signing secret is %s old (rotation.max_age %s)", Days(age), Days(maxAge))
	switch {
	case age > maxAge:
		c.Verdict = Fail
		c.Fix = fmt.Sprintf("Rotate it: webhook-setup rotate-secret %s --generate --verify (store the new secret in the receiver first), or raise rotation.max_age if your policy allows older secrets.", target)
	case age > maxAge*9/10:
		c.Verdict = Warn
		c.Summary += fmt.Sprintf("; due in %s", Days(maxAge-age))
	default:
		c.Verdict = OK
	}
	return c
}

// GraceSecrets describes the previous secrets still valid after a
// rotation: fine while their grace lasts, but worth retiring once the
// receiver verifies with the new one.
func GraceSecrets(target string, ends []time.Time, now time.Time) Check {
	c := Check{ID: "target.grace_secrets", Target: target, Verdict: OK}
	if len(ends) == 0 {
		c.Summary = "no previous secret is still valid"
		return c
	}
	sort.Slice(ends, func(i, j int) bool { return ends[i].Before(ends[j]) })
	var parts []string
	for _, e := range ends {
		parts = append(parts, fmt.Sprintf("until %s (in %s)", e.UTC().Format(time.RFC3339), Days(e.Sub(now))))
	}
	c.Verdict = Warn
	c.Summary = fmt.Sprintf("%d previous secret(s) still sign and verify: %s", len(ends), strings.Join(parts, ", "))
	c.Fix = fmt.Sprintf("Once the receiver verifies with the new secret, retire the old one: webhook-setup rotate-secret %s --verify-only --retire-old.", target)
	return c
}

// MaxClockSkew is the largest receiver clock difference doctor accepts:
// a fifth of the five-minute signature window receivers enforce.
const MaxClockSkew = time.Minute

// ClockSkew judges the difference between a receiver's Date header and
// this machine's clock when the answer arrived.
func ClockSkew(target string, skew time.Duration, seen time.Time) Check {
	c := Check{ID: "target.clock_skew", Target: target, Verdict: OK}
	ahead := "ahead of"
	if skew < 0 {
		ahead = "behind"
	}
	abs := time.Duration(math.Abs(float64(skew))).Round(time.Second)
	c.Summary = fmt.Sprintf("the receiver's clock was %s %s this machine's at its last answer (%s)", abs, ahead, seen.UTC().Format(time.RFC3339))
	if abs > MaxClockSkew {
		c.Verdict = Fail
		c.Fix = "Synchronise this machine's clock (timedatectl set-ntp true, or chrony/ntpd) and ask the receiver's owner to check theirs: signatures older or newer than the receiver's window are rejected as WEBHOOK_SIGNATURE_INVALID."
	}
	return c
}

// MinCertDays is how many days of validity a receiver's certificate must
// have left; fewer warns at WarnCertDays.
const (
	MinCertDays  = 7
	WarnCertDays = 21
)

// Days renders a duration in whole days (hours below two days).
func Days(d time.Duration) string {
	if d < 0 {
		return "-" + Days(-d)
	}
	if d < 48*time.Hour {
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}
