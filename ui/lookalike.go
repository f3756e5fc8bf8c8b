package ui

import (
	"github.com/spf13/pflag"

	"github.com/webriskops/webhook-setup/core"
)

// registerLookAlikeFlag adds --allow-confusable-host, the operator's
// confirmation that a look-alike host is really the receiver's
// (core.LookAlikeProblem).
func registerLookAlikeFlag(fs *pflag.FlagSet, v *bool) {
	fs.BoolVar(v, "allow-confusable-host", false,
		"confirm a host that mixes scripts or uses look-alike letters (hooks.zаpier.com with a Cyrillic а) is really the receiver's")
}

// targetWarnings are the warnings a saved target carries for as long as it
// exists, recomputed each time it is shown.
func targetWarnings(t core.Target) []string {
	if w := core.LookAlikeWarning(t); w != "" {
		return []string{w}
	}
	return nil
}

// mergeWarnings is a followed by those of b it does not already hold.
func mergeWarnings(a, b []string) []string {
	out := append([]string(nil), a...)
	for _, w := range b {
		dup := false
		for _, x := range out {
			dup = dup || x == w
		}
		if !dup {
			out = append(out, w)
		}
	}
	return out
}
