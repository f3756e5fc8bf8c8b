package config

import (
	"bytes"
	"strings"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

// A target's resolve override in a target file, in [[target]]:
//
//	resolve = ["3.33.152.147", "2600:1f18::1"]
//
// The addresses the URL's host is taken to have on the URL's port instead
// of DNS (core.Target.Resolve). A target without the key has none: apply
// of a file without it removes a saved one.

// parseResolve reads the resolve key: an array of address strings, kept
// canonical; what is wrong with the addresses themselves is core's to say
// (Validate), at this key's line.
func parseResolve(spec *TargetSpec, v any) []Problem {
	list, ok := v.([]any)
	if !ok {
		return []Problem{spec.problem(codes.ConfigInvalid, "resolve", "resolve must be an array of IP address strings, not %s", typeName(v))}
	}
	var ps []Problem
	addrs := make([]string, 0, len(list))
	for i, e := range list {
		s, ok := e.(string)
		if !ok {
			ps = append(ps, spec.problem(codes.ConfigInvalid, "resolve", "resolve[%d] must be a string, not %s", i, typeName(e)))
			continue
		}
		addrs = append(addrs, s)
	}
	if canon, p := core.CanonicalResolve(addrs); p == nil {
		addrs = canon
	}
	if len(addrs) > 0 {
		spec.Target.Resolve = addrs
	}
	return ps
}

// exportResolve writes the resolve key when t has an override.
func exportResolve(b *bytes.Buffer, t core.Target) {
	if len(t.Resolve) == 0 {
		return
	}
	items := make([]string, len(t.Resolve))
	for i, a := range t.Resolve {
		items[i] = Quote(a)
	}
	b.WriteString("# Instead of DNS, for " + core.ResolveFor(t) + " (webhook-setup show NAME says the same).\n")
	kv(b, "resolve", "["+strings.Join(items, ", ")+"]")
}
