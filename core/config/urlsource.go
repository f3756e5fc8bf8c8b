package config

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// A webhook URL is a bearer credential (Zapier, Make and n8n put the hook
// token in it), so a target file may name where the URL comes from instead
// of holding it, as it does for the signing secret: webhook_url_file (a
// path relative to the target file) or webhook_url_env (a variable). The
// caller reads the source and hands the URL to the planner in
// Input.URLs; this file holds every rule about those keys.

// The keys a target may give its webhook URL with: exactly one of them.
const (
	keyURL     = "webhook_url"
	keyURLFile = "webhook_url_file"
	keyURLEnv  = "webhook_url_env"
)

var urlKeys = []string{keyURL, keyURLFile, keyURLEnv}

// SourcedURL is what the caller read from a target's webhook_url_file or
// webhook_url_env: the URL, or the problem that kept it from being read.
type SourcedURL struct {
	Value   string
	Problem *codes.Problem
}

// URLSourced reports whether the spec names a source for its webhook URL
// rather than holding the URL.
func (s TargetSpec) URLSourced() bool { return s.URLFile != "" || s.URLEnv != "" }

// URLKey is the key that gives the target's webhook URL, for messages and
// lines: webhook_url_file, webhook_url_env or webhook_url.
func (s TargetSpec) URLKey() string {
	switch {
	case s.URLFile != "":
		return keyURLFile
	case s.URLEnv != "":
		return keyURLEnv
	}
	return keyURL
}

// parseURLSource reads webhook_url_file or webhook_url_env (key) into spec.
func parseURLSource(spec *TargetSpec, key string, v any) []Problem {
	s, ok := v.(string)
	if !ok {
		return []Problem{spec.problem(codes.ConfigInvalid, key, "%s must be a string, not %s", key, typeName(v))}
	}
	var ps []Problem
	if s == "" {
		ps = append(ps, spec.problem(codes.ConfigInvalid, key, "%s is empty", key))
	}
	if key == keyURLFile {
		spec.URLFile = s
	} else {
		spec.URLEnv = s
	}
	return ps
}

// checkURLSources refuses a target that gives its webhook URL more than
// one way, on the line of the second key it writes. A target with none is
// left to validation, which refuses it as `add` refuses a missing --url.
func checkURLSources(spec TargetSpec, m map[string]any) []Problem {
	var given []string
	for _, k := range urlKeys {
		if _, ok := m[k]; ok {
			given = append(given, k)
		}
	}
	if len(given) < 2 {
		return nil
	}
	// The lines as written: LineOf would read webhook_url as its source.
	sort.SliceStable(given, func(i, j int) bool { return spec.lines[given[i]] < spec.lines[given[j]] })
	p := newProblem(spec.File, spec.lines[given[1]], codes.ConfigInvalid, given[1],
		"the webhook URL is given %d ways (%s); give it one way", len(given), strings.Join(given, ", "))
	p.Target = spec.Target.Name
	p.Fix = "Keep one of webhook_url, webhook_url_file = \"path\" (relative to the file) or webhook_url_env = \"VARIABLE\"."
	return []Problem{p}
}

// withSourcedURL fills in the URL of a spec that names a source, from what
// the caller read. When the source gave no URL it returns the problem, on
// the source's line, and failed: the target's URL is then unknown, so it
// keeps the stored one (no change is planned for it) and is neither
// validated nor checked.
func withSourcedURL(spec TargetSpec, urls map[string]SourcedURL, cur core.Target, exists bool) (out TargetSpec, ps []Problem, failed bool) {
	if !spec.URLSourced() {
		return spec, nil, false
	}
	got, ok := urls[spec.Target.Name]
	if !ok {
		p := codes.NewProblem(codes.URLMissing, spec.URLKey(), "the webhook URL named here was not read")
		got.Problem = &p
	}
	if got.Problem == nil {
		spec.Target.BaseURL = got.Value
		return spec, nil, false
	}
	p := *got.Problem
	p.Field = spec.URLKey()
	if exists {
		spec.Target.BaseURL = cur.BaseURL
	}
	return spec, []Problem{{File: spec.File, Line: spec.LineOf(p.Field), Target: spec.Target.Name, Problem: p}}, true
}

// URLPlaceholder is the webhook_url_file an exported target names when no
// URL file was written for it: a file beside its secret_file placeholder,
// so one ignore rule (secrets/) keeps both out of version control.
func URLPlaceholder(name string) string {
	return path.Join("secrets", name+".url")
}

// ExportOptions choose how Export writes each webhook URL.
type ExportOptions struct {
	// RevealURL writes webhook_url with the full URL, as the file did
	// before URLs had sources; the file then holds bearer credentials.
	RevealURL bool
	// URLFiles maps a target's name to the webhook_url_file to name, as a
	// slash-separated path relative to the target file (the caller has
	// written the URL there). Targets not in it get URLPlaceholder.
	URLFiles map[string]string
}

// writeURL writes the target's webhook URL key: the URL itself when
// revealed, else a webhook_url_file with the redacted URL in a comment,
// so a reader can tell which hook belongs there without the token.
func writeURL(b *bytes.Buffer, t core.Target, opts ExportOptions) {
	if opts.RevealURL {
		kv(b, keyURL, Quote(t.BaseURL))
		return
	}
	file, ok := opts.URLFiles[t.Name]
	if ok {
		fmt.Fprintf(b, "# The webhook URL (%s) is in this file.\n", commentText(urlsafe.Redact(t.BaseURL)))
	} else {
		file = URLPlaceholder(t.Name)
		fmt.Fprintf(b, "# Placeholder: put the webhook URL (%s) in this file.\n", commentText(urlsafe.Redact(t.BaseURL)))
	}
	kv(b, keyURLFile, Quote(file))
}

// commentText is s fit for a one-line TOML comment: Quote's escaping
// without the quotes, so no line break or control character ends it.
func commentText(s string) string {
	q := Quote(s)
	return q[1 : len(q)-1]
}
