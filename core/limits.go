package core

import (
	"fmt"
	"unicode/utf8"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// Bounds on every text a target carries, checked by Validate (and so by
// Assess for add, apply and the wizard, whose inputs read the same
// constants): a pasted log must not become an owner, and nothing an
// operator types is stored or printed without limit. The leaf packages own
// the bounds of what they parse, since they cannot import this one:
// urlsafe.MaxURLLen (the webhook URL, 2048 bytes) and signing.MinSecretLen
// and signing.MaxSecretLen (the signing secret, 32 to 256 characters).
// codes' catalog texts and the payload schema repeat some of these numbers;
// TestLimitsAgree keeps them in step.
const (
	// MaxNameLen is the longest target name (namePattern is built from it).
	MaxNameLen = 63
	// MaxTextLen bounds receiver_owner, revoke_path and
	// private_network.authorized_by, in bytes.
	MaxTextLen = 500
	// MaxAllowlistEntries bounds the private-network allowlist.
	MaxAllowlistEntries = 100
	// MaxAllowlistEntryLen bounds one allowlist entry, in bytes: a host
	// name of 253 bytes with "*." in front.
	MaxAllowlistEntryLen = 255
	// MaxEchoRunes is how much of an offending input an error repeats.
	MaxEchoRunes = 80
	// MaxEdgeHeaderLen bounds the edge authentication header's name.
	MaxEdgeHeaderLen = 64
	// MinEdgeValueLen and MaxEdgeValueLen bound the edge value, in bytes of
	// printable ASCII. The lower bound keeps the value's fingerprint from
	// being an offline guessing oracle.
	MinEdgeValueLen = 16
	MaxEdgeValueLen = 1024
	// MaxResolveAddrs bounds a target's resolve override (resolveas.go):
	// a host has a handful of addresses, not a network's worth.
	MaxResolveAddrs = 16
)

// Clip is s fit to repeat in an error: quoted, and when longer than
// MaxEchoRunes characters, its start with "…" and its full size, so a
// 130 KB value is never echoed whole.
func Clip(s string) string {
	if utf8.RuneCountInString(s) <= MaxEchoRunes {
		return fmt.Sprintf("%q", s)
	}
	i, n := 0, 0
	for n < MaxEchoRunes {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	return fmt.Sprintf("%q… (%d bytes)", s[:i], len(s))
}

// lengthProblems finds every text of t over its bound.
func lengthProblems(t Target) []codes.Problem {
	var ps []codes.Problem
	long := func(field, what, v string, max int) {
		if len(v) > max {
			ps = append(ps, codes.NewProblem(codes.TextTooLong, field,
				fmt.Sprintf("the %s is %d bytes; keep it under %d", what, len(v), max)))
		}
	}
	long("receiver_owner", "receiver owner", t.ReceiverOwner, MaxTextLen)
	long("revoke_path", "revoke path", t.RevokePath, MaxTextLen)
	pn := t.PrivateNetwork
	long("private_network.authorized_by", "authorized_by text", pn.AuthorizedBy, MaxTextLen)
	if n := len(pn.Allowlist); n > MaxAllowlistEntries {
		ps = append(ps, codes.NewProblem(codes.TextTooLong, "private_network.allowlist",
			fmt.Sprintf("the allowlist has %d entries; keep it to %d (approve a CIDR rather than many addresses)", n, MaxAllowlistEntries)))
	}
	for _, e := range pn.Allowlist {
		if p := entryTooLong(e); p != nil {
			ps = append(ps, *p)
			break // one is enough to say; the rest would repeat it
		}
	}
	return ps
}

// entryTooLong is the refusal of one allowlist entry over its bound.
func entryTooLong(e string) *codes.Problem {
	if len(e) <= MaxAllowlistEntryLen {
		return nil
	}
	p := codes.NewProblem(codes.TextTooLong, "private_network.allowlist",
		fmt.Sprintf("the allowlist entry %s is %d bytes; keep it under %d", Clip(e), len(e), MaxAllowlistEntryLen))
	return &p
}

// AllowlistEntryProblem is what is wrong with one allowlist entry as an
// operator types it, as Validate would say it once the entry is in the
// target: too long first (generic_webhook_text_too_long), then what
// urlsafe.CheckAllowlistEntry refuses.
func AllowlistEntryProblem(e string) *codes.Problem {
	if p := entryTooLong(e); p != nil {
		return p
	}
	return urlsafe.CheckAllowlistEntry(e)
}

// tooLong reports whether ps already refuses field for its length, so the
// field's other checks need not run over (and repeat) the long text.
func tooLong(ps []codes.Problem, field string) bool {
	for _, p := range ps {
		if p.Code == codes.TextTooLong && p.Field == field {
			return true
		}
	}
	return false
}
