// Package urlsafe decides whether a webhook URL a customer typed may
// receive evidence, and dials only where that decision allows (SSRF guard).
// docs/url-safety.md is its policy.
package urlsafe

import (
	"context"
	"net/netip"
	"net/url"
)

// Policy is what a target's deployment mode and private-network approval
// allow. The zero value allows public addresses only.
type Policy struct {
	// SelfHosted marks a self-hosted target: a private address that is not
	// allowlisted is reported as needing approval rather than plainly unsafe.
	SelfHosted bool
	// Allowlist holds the approved entries (private CIDRs, host names or
	// "*.suffix"); callers pass it only when the approval is complete.
	Allowlist []string

	// testAllow is a hook for this package's tests only: addresses it
	// accepts count as public, so tests can reach servers on loopback.
	testAllow func(netip.Addr) bool
}

// Verdict is the answer to one URL check, safe or not.
type Verdict struct {
	URL           string   `json:"url"` // redacted
	Safe          bool     `json:"safe"`
	Code          string   `json:"code"`   // "" when safe
	Reason        string   `json:"reason"` // "" when safe
	Fix           string   `json:"fix,omitempty"`
	Host          string   `json:"host"`
	Addresses     []string `json:"addresses"`
	Warnings      []string `json:"warnings"`
	NeedsApproval bool     `json:"needs_private_network_approval,omitempty"`

	// Endpoint is the parsed URL to send to (fragment stripped); nil when
	// the URL did not parse.
	Endpoint *url.URL `json:"-"`
	// Pinned are the validated addresses the client may dial.
	Pinned []netip.Addr `json:"-"`
}

// Resolver answers A and AAAA lookups; net.DefaultResolver satisfies it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}
