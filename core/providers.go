package core

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Provider describes one provider key for people choosing it.
type Provider struct {
	Key         ProviderKey `json:"provider_key"`
	Description string      `json:"description"`
	// DefaultRate is the delivery pace that stays under the provider's own
	// intake limit and that its recipe can hold; it is the default of a
	// target's rate_limit.
	DefaultRate RateLimit `json:"default_rate_limit"`
	// ReplayProtection says where the receiver's checks of timestamp, nonce
	// and idempotency key run for this provider and where a refusal shows:
	// the replay_protection state can only record that the receiver owner
	// confirmed them.
	ReplayProtection string `json:"replay_protection"`
	// Refusals is the short form of ReplayProtection for a table row: what
	// the sender sees when the receiver refuses (under 60 characters).
	Refusals string `json:"refusals"`
	// SharedPace says the pace must hold across processes, not only within
	// one: the recipe loses records when two deliveries start closer than
	// DefaultRate allows, whichever process sends them (docs/recipes.md).
	SharedPace bool `json:"shared_pace"`
}

// RateLimit caps deliveries to one target: at most Requests per PerSeconds.
// The zero value means "the provider's default".
type RateLimit struct {
	Requests   int `json:"requests" toml:"requests"`
	PerSeconds int `json:"per_seconds" toml:"per_seconds"`
}

// IsZero reports whether no explicit limit is set.
func (r RateLimit) IsZero() bool { return r.Requests == 0 && r.PerSeconds == 0 }

// PerSecond is the limit as requests per second.
func (r RateLimit) PerSecond() float64 {
	if r.Requests <= 0 || r.PerSeconds <= 0 {
		return 0
	}
	return float64(r.Requests) / float64(r.PerSeconds)
}

func (r RateLimit) String() string {
	if r.IsZero() {
		return "provider default"
	}
	return fmt.Sprintf("%d/%ds", r.Requests, r.PerSeconds)
}

// Providers lists the supported provider keys in the order people see them.
var Providers = []Provider{
	{Key: ProviderGeneric, Description: "Any customer-owned HTTPS receiver that verifies the WebRiskOps signature.",
		DefaultRate: RateLimit{20, 1}, ReplayProtection: receiverAnswers, Refusals: receiverRefusals},
	{Key: ProviderWebhook, Description: "Same as generic_webhook; kept for targets created under the short key.",
		DefaultRate: RateLimit{20, 1}, ReplayProtection: receiverAnswers, Refusals: receiverRefusals},
	// Zapier: one delivery per 2 s, not Zapier's own 10,000 per 5 min: the
	// Zapier recipe keeps its replay window in Storage by Zapier as one
	// 2-second slice of the signed timestamp per key, and only at this pace
	// does each slice hold one delivery, so overlapping Zap runs never write
	// the same key (docs/recipes.md has the arithmetic). The pace is booked
	// in the store, so it holds for all processes sending to the target.
	{Key: ProviderZapier, Description: "Zapier: Webhooks by Zapier, Catch Raw Hook trigger (hooks.zapier.com).",
		DefaultRate:      RateLimit{1, 2},
		ReplayProtection: "checked in the Zap (Code step and Storage by Zapier); Zapier answers 200 before it runs, so refusals appear in Zap history, not here",
		Refusals:         "Zapier answers 200; refusals only in Zap history",
		SharedPace:       true},
	// Make: 5 per second per webhook, the figure Make documents ("The
	// current rate limit is five webhooks per second. If the limit is
	// exceeded, 429 status code is returned", Instant triggers (webhooks),
	// docs/recipes.md); the pacer spaces starts at 90 % of it.
	{Key: ProviderMake, Description: "Make (formerly Integromat): Custom webhook module (hook.<zone>.make.com).",
		DefaultRate:      RateLimit{5, 1},
		ReplayProtection: "checked in the scenario (filters and data stores); refusals come back as 401 or 400, a failed data store or module of yours as 503 (retried), and show in deliveries",
		Refusals:         "401/400 refused, 503 retried; in deliveries"},
	{Key: ProviderN8N, Description: "n8n: Webhook node production URL (/webhook/...), cloud or self-hosted.",
		DefaultRate:      RateLimit{20, 1},
		ReplayProtection: "checked in the workflow (Code node and workflow static data); refusals come back as 401 or 400, a full replay memory as 503 and a misconfigured Code node as 500 (both retried), and show in deliveries",
		Refusals:         "401/400 refused, 503/500 retried; in deliveries"},
}

// receiverAnswers is where the checks run for a receiver of the customer's
// own.
const receiverAnswers = "checked by the receiver; refusals come back as 401 or 400, a full replay window as 503 (retried), and show in deliveries"

// receiverRefusals is receiverAnswers for a table row.
const receiverRefusals = "401/400 refused, 503 retried; in deliveries"

// LookupProvider returns the provider of key, or false when it is unknown.
func LookupProvider(key ProviderKey) (Provider, bool) {
	for _, p := range Providers {
		if p.Key == key {
			return p, true
		}
	}
	return Provider{}, false
}

// PaceWarning returns a warning when rate is faster than the provider's
// recipe can hold, else "". Only the Zapier recipe has such a bound: its
// replay memory keeps one delivery per slice (docs/recipes.md).
func PaceWarning(key ProviderKey, rate RateLimit) string {
	p, ok := LookupProvider(key)
	if !ok || key != ProviderZapier || rate.IsZero() || rate.PerSecond() <= p.DefaultRate.PerSecond() {
		return ""
	}
	return fmt.Sprintf("rate_limit %s is faster than the Zapier recipe's replay memory holds (%s): overlapping Zap runs can then lose each other's records; set the target's rate_limit to %s",
		rate, p.DefaultRate, p.DefaultRate)
}

// EffectiveRate is the target's own rate limit, or its provider's default.
func (t Target) EffectiveRate() RateLimit {
	if !t.RateLimit.IsZero() {
		return t.RateLimit
	}
	p, _ := LookupProvider(t.ProviderKey)
	return p.DefaultRate
}

// ModeInfo describes one deployment mode for people choosing it.
type ModeInfo struct {
	Mode        Mode   `json:"deployment_mode"`
	Description string `json:"description"`
}

// Modes lists the deployment modes in the order people see them.
var Modes = []ModeInfo{
	{ModeCloud, "Public SaaS hook (Zapier, Make, n8n cloud): public HTTPS only."},
	{ModeSelfHosted, "Customer-approved self-hosted endpoint: may reach an approved private network."},
	{ModeWebhookOnly, "Webhook-only target instead of a native tracker: public HTTPS only."},
}

// ValidMode reports whether m is a known deployment mode.
func ValidMode(m Mode) bool {
	for _, mi := range Modes {
		if mi.Mode == m {
			return true
		}
	}
	return false
}

var (
	zapierPath = regexp.MustCompile(`^/hooks/catch/[0-9]+/[A-Za-z0-9]+/?$`)
	makeHost   = regexp.MustCompile(`^hook\.(eu1|eu2|us1|us2)\.make\.(com|celonis\.com)$`)
)

// ProviderHints returns warnings (never refusals) when a URL does not look
// like what the chosen provider hands out. provider may be empty; then the
// hints that hold for any provider are still given.
func ProviderHints(provider ProviderKey, u *url.URL) []string {
	if u == nil {
		return nil
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	var hints []string
	switch provider {
	case ProviderZapier:
		if host != "hooks.zapier.com" {
			hints = append(hints, "zapier_webhook URLs are on hooks.zapier.com; this host is "+host)
		} else if !zapierPath.MatchString(u.EscapedPath()) {
			hints = append(hints, "zapier_webhook URLs look like https://hooks.zapier.com/hooks/catch/<digits>/<id>/")
		}
	case ProviderMake:
		if !makeHost.MatchString(host) && host != "hook.integromat.com" {
			hints = append(hints, "make_webhook URLs are on hook.<zone>.make.com (eu1, eu2, us1, us2), hook.<zone>.make.celonis.com or hook.integromat.com; this host is "+host)
		}
	case ProviderN8N:
		if !strings.Contains(u.Path, "/webhook/") && !strings.Contains(u.Path, "/webhook-test/") {
			hints = append(hints, "n8n_webhook production URLs contain /webhook/ in the path")
		}
	}
	if strings.Contains(u.Path, "/webhook-test/") {
		hints = append(hints, "this is an n8n test URL (/webhook-test/): it only listens while the editor waits for a test event; use the production URL with /webhook/")
	}
	if u.Port() == "5678" {
		hints = append(hints, "port 5678 is n8n's editor port; production receivers are usually behind an HTTPS proxy on 443")
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if strings.HasPrefix(seg, ":") && len(seg) > 1 {
			hints = append(hints, "the path has a literal "+seg+" placeholder: replace it with the real value")
			break
		}
	}
	return hints
}

// ParseRateLimit reads "300/10s" (requests per duration in whole seconds) or
// "30/s"; "" or "default" is the zero value (the provider's default).
func ParseRateLimit(s string) (RateLimit, error) {
	if s == "" || s == "default" {
		return RateLimit{}, nil
	}
	n, per, ok := strings.Cut(s, "/")
	if !ok {
		return RateLimit{}, fmt.Errorf("%q is not a rate like 300/10s", s)
	}
	var r RateLimit
	if _, err := fmt.Sscanf(n, "%d", &r.Requests); err != nil || r.Requests < 1 || r.Requests > 1000000 || fmt.Sprint(r.Requests) != n {
		return RateLimit{}, fmt.Errorf("%q: the request count must be a whole number from 1 to 1000000", s)
	}
	if per == "s" {
		per = "1s"
	}
	d, err := time.ParseDuration(per)
	if err != nil || d < time.Second || d > time.Hour || d%time.Second != 0 {
		return RateLimit{}, fmt.Errorf("%q: the period must be whole seconds from 1s to 1h", s)
	}
	r.PerSeconds = int(d / time.Second)
	return r, nil
}
