package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

// DefaultGrace is how long a replaced signing secret stays valid when a
// target file changes it and names no [target.signing] grace.
const DefaultGrace = 24 * time.Hour

// MaxGrace is the longest rotation grace a file may ask for, the same
// bound as rotate-secret --grace.
const MaxGrace = 30 * 24 * time.Hour

// TargetSpec is one [[target]] of a target file: the target as the file
// describes it, where its secret comes from, and where it was written.
type TargetSpec struct {
	// Target holds the fields the file sets, named as `add` names them
	// (webhook_url is Target.BaseURL; empty when the URL has a source).
	// ID, Version and Signing are empty.
	// DeploymentMode and PrivateNetwork.Policy are empty when the file
	// leaves them out; the planner fills in the configured defaults.
	Target core.Target
	// SecretFile or SecretEnv names the signing secret's source; both are
	// empty when the file keeps the stored secret. SecretFile is as written,
	// and the caller resolves it relative to the file's folder.
	SecretFile string
	SecretEnv  string
	// URLFile or URLEnv names the webhook URL's source instead of
	// webhook_url (see urlsource.go); URLFile is as written, relative to
	// the file's folder.
	URLFile string
	URLEnv  string
	// Grace is how long the previous secret stays valid when the secret
	// changes.
	Grace time.Duration
	// EdgeValueFile or EdgeValueEnv names the edge value's source
	// ([target.edge_auth], see edge.go); both empty keeps the stored value.
	EdgeValueFile string
	EdgeValueEnv  string

	File string
	Line int // line of the [[target]] header
	// lines maps keys inside the target ("webhook_url",
	// "private_network.allowlist") to their lines.
	lines map[string]int
}

// Has reports whether the file sets key ("deployment_mode",
// "private_network.policy") for this target.
func (s TargetSpec) Has(key string) bool {
	_, ok := s.lines[key]
	return ok
}

// LineOf returns the line of key inside the target, of the nearest
// enclosing table the file writes, or of the [[target]] header. The line
// of webhook_url is that of the key the URL came from.
func (s TargetSpec) LineOf(key string) int {
	if key == keyURL {
		key = s.URLKey()
	}
	for k := key; k != ""; k = parentPath(k) {
		if n, ok := s.lines[k]; ok {
			return n
		}
	}
	return s.Line
}

// SecretKey is the key that names the secret's source, for messages.
func (s TargetSpec) SecretKey() string {
	if s.SecretEnv != "" {
		return "signing.secret_env"
	}
	return "signing.secret_file"
}

// problem builds a problem on key of this target.
func (s TargetSpec) problem(code codes.Code, key, format string, args ...any) Problem {
	p := newProblem(s.File, s.LineOf(key), code, key, format, args...)
	p.Target = s.Target.Name
	return p
}

// literalSecretKeys may never appear in a target file: a secret comes from
// a file or an environment variable, so the file itself can be committed.
var literalSecretKeys = map[string]bool{"secret": true, "signing_secret": true, "webhook_secret": true}

// keyHints turns a likely mistake into a precise fix.
var keyHints = map[string]string{
	"base_url": "The file uses add's names: write webhook_url (base_url is only the JSON name).",
	"url":      "The file uses add's names: write webhook_url.",
	"provider": "The file uses add's names: write provider_key.",
	"mode":     "The file uses add's names: write deployment_mode.",
	"owner":    "The file uses add's names: write receiver_owner.",
}

// The keys of a [[target]] table and of its sub-tables, for hints.
var (
	targetKeys = []string{"name", "provider_key", "deployment_mode", "webhook_url", "webhook_url_file", "webhook_url_env", "receiver_owner",
		"revoke_path", "receiver_checks_confirmed", "allow_confusable_host", "rate_limit", "[target.private_network]", "[target.signing]",
		"standard_webhooks", "resolve", "[target.edge_auth]"}
	targetTables = map[string][]string{
		"private_network": {"policy", "allowlist", "authorized_by"},
		"signing":         {"secret_file", "secret_env", "grace"},
		"edge_auth":       {"header", "value_file", "value_env"},
	}
)

// ParseTargets reads a target file: [[target]] tables with the fields and
// names of `add`. It checks the file itself (syntax, unknown keys, types,
// values such as rate_limit and grace, duplicate names, literal secrets)
// and returns a ConfigInvalid error listing every such problem with its
// line; whether each target may be saved is the planner's question.
func ParseTargets(data []byte, path string) ([]TargetSpec, error) {
	doc, ps := parse(data, path)
	if len(ps) > 0 {
		return nil, Error(ps)
	}
	for _, k := range sortedKeys(doc.root) {
		if k == "target" {
			continue
		}
		line := doc.line(k)
		if literalSecretKeys[k] {
			ps = keep(ps, literalSecret(path, line, k, ""))
			continue
		}
		p := unknownKey(path, line, k, nil)
		p.Fix = "A target file holds only [[target]] tables."
		ps = keep(ps, p)
	}
	var specs []TargetSpec
	if v, ok := doc.root["target"]; ok {
		list, ok := tables(v)
		if !ok {
			ps = append(ps, newProblem(path, doc.line("target"), codes.ConfigInvalid, "target",
				"target must be an array of tables ([[target]]), not %s", typeName(v)))
		}
		seen := map[string]int{}
		lines := targetLines(doc.lines)
		for i, m := range list {
			path := fmt.Sprintf("target[%d]", i)
			spec, sps := parseTarget(doc, path, lines[path], m)
			ps = keep(ps, sps...)
			if spec.Target.Name == "" {
				continue
			}
			if first, dup := seen[spec.Target.Name]; dup {
				ps = keep(ps, spec.problem(codes.ConfigInvalid, "name",
					"the name is also used by the target on line %d; names must be unique", first))
				continue
			}
			seen[spec.Target.Name] = spec.Line
			specs = append(specs, spec)
		}
	}
	if len(ps) > 0 {
		return nil, Error(ps)
	}
	return specs, nil
}

func literalSecret(file string, line int, key, target string) Problem {
	p := newProblem(file, line, codes.ConfigInvalid, key,
		"a literal secret (%s) is refused: the file would hold the secret", key)
	p.Target = target
	p.Fix = "Remove the secret from the file and name its source under [target.signing]: secret_file = \"path\" or secret_env = \"VARIABLE\"."
	return p
}

// targetLines splits the document's key lines by target: "target[3]" maps
// to that target's keys ("webhook_url", "signing.secret_file").
func targetLines(all map[string]int) map[string]map[string]int {
	out := map[string]map[string]int{}
	for full, line := range all {
		if !strings.HasPrefix(full, "target[") {
			continue
		}
		end := strings.Index(full, "]")
		if end < 0 || !strings.HasPrefix(full[end+1:], ".") {
			continue
		}
		path, rest := full[:end+1], full[end+2:]
		if out[path] == nil {
			out[path] = map[string]int{}
		}
		out[path][rest] = line
	}
	return out
}

// parseTarget reads one [[target]] table found at path in doc; lines are
// its keys' lines.
func parseTarget(doc *document, path string, lines map[string]int, m map[string]any) (TargetSpec, []Problem) {
	if lines == nil {
		lines = map[string]int{}
	}
	spec := TargetSpec{File: doc.file, Line: doc.line(path), Grace: DefaultGrace, lines: lines}
	// The name first, so every other problem can say which target it is in.
	if n, ok := m["name"].(string); ok {
		spec.Target.Name = n
	}
	var ps []Problem
	ps = append(ps, findLiteralSecrets(spec, "", m)...)
	t := &spec.Target
	for _, k := range sortedKeys(m) {
		v := m[k]
		if literalSecretKeys[k] {
			continue
		}
		switch k {
		case "name", "provider_key", "deployment_mode", "webhook_url", "receiver_owner", "revoke_path",
			"rate_limit", "receiver_checks_confirmed", "allow_confusable_host":
			ps = append(ps, parseTargetValue(&spec, k, v)...)
		case keyURLFile, keyURLEnv:
			ps = append(ps, parseURLSource(&spec, k, v)...)
		case "private_network":
			ps = append(ps, parseNetwork(&spec, v)...)
		case "signing":
			ps = append(ps, parseSigning(&spec, v)...)
		case "standard_webhooks":
			ps = append(ps, parseStandardWebhooks(&spec, v)...)
		case "resolve":
			ps = append(ps, parseResolve(&spec, v)...)
		case "edge_auth":
			ps = append(ps, parseEdge(&spec, v)...)
		default:
			if len(ps) >= maxProblemsKept {
				ps = keep(ps, Problem{File: doc.file, Tally: 1}) // not built: only counted
				continue
			}
			p := unknownKey(doc.file, spec.LineOf(k), k, targetKeys)
			p.Target = t.Name
			if hint, ok := keyHints[k]; ok {
				p.Fix = hint
			}
			ps = append(ps, p)
		}
	}
	ps = append(ps, checkURLSources(spec, m)...)
	if n, ok := m["name"]; !ok || n == "" {
		ps = append(ps, spec.problem(codes.ConfigInvalid, "name", "the target has no name"))
	}
	return spec, ps
}

// parseTargetValue reads one of a target's plain values (a string, the
// rate limit or a true/false key) into spec.Target.
func parseTargetValue(spec *TargetSpec, k string, v any) []Problem {
	t := &spec.Target
	switch k {
	case "receiver_checks_confirmed", "allow_confusable_host":
		b, ok := v.(bool)
		if !ok {
			return []Problem{spec.problem(codes.ConfigInvalid, k, "%s must be true or false, not %s", k, typeName(v))}
		}
		if k == "allow_confusable_host" {
			t.AllowConfusableHost = b
		} else {
			t.ReceiverChecksConfirmed = b
		}
		return nil
	}
	s, ok := v.(string)
	if !ok {
		return []Problem{spec.problem(codes.ConfigInvalid, k, "%s must be a string, not %s", k, typeName(v))}
	}
	switch k {
	case "provider_key":
		t.ProviderKey = core.ProviderKey(s)
	case "deployment_mode":
		t.DeploymentMode = core.Mode(s)
	case "webhook_url":
		t.BaseURL = s
	case "receiver_owner":
		t.ReceiverOwner = s
	case "revoke_path":
		t.RevokePath = s
	case "rate_limit":
		r, err := core.ParseRateLimit(s)
		if err != nil {
			return []Problem{spec.problem(codes.ConfigInvalid, k, "rate_limit: %v", err)}
		}
		t.RateLimit = r
	}
	return nil
}

// findLiteralSecrets reports every literal secret key anywhere in m.
func findLiteralSecrets(spec TargetSpec, prefix string, m map[string]any) []Problem {
	var ps []Problem
	for _, k := range sortedKeys(m) {
		key := join(prefix, k)
		if literalSecretKeys[k] {
			ps = append(ps, literalSecret(spec.File, spec.LineOf(key), key, spec.Target.Name))
			continue
		}
		if sub, ok := m[k].(map[string]any); ok {
			ps = append(ps, findLiteralSecrets(spec, key, sub)...)
		} else if list, ok := m[k].([]any); ok {
			for i, e := range list {
				if sub, ok := e.(map[string]any); ok {
					ps = append(ps, findLiteralSecrets(spec, fmt.Sprintf("%s[%d]", key, i), sub)...)
				}
			}
		} else if list, ok := m[k].([]map[string]any); ok {
			for i, sub := range list {
				ps = append(ps, findLiteralSecrets(spec, fmt.Sprintf("%s[%d]", key, i), sub)...)
			}
		}
	}
	return ps
}

// subTable checks that v is a table with only the known keys of name.
func subTable(spec *TargetSpec, name string, v any) (map[string]any, []Problem) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, []Problem{spec.problem(codes.ConfigInvalid, name,
			"%s must be a table ([target.%s]), not %s", name, name, typeName(v))}
	}
	var ps []Problem
	known := targetTables[name]
	for _, k := range sortedKeys(m) {
		if literalSecretKeys[k] || contains(known, k) {
			continue
		}
		key := name + "." + k
		p := unknownKey(spec.File, spec.LineOf(key), key, known)
		p.Target = spec.Target.Name
		ps = append(ps, p)
	}
	return m, ps
}

func parseNetwork(spec *TargetSpec, v any) []Problem {
	m, ps := subTable(spec, "private_network", v)
	if m == nil {
		return ps
	}
	pn := &spec.Target.PrivateNetwork
	for _, k := range []string{"policy", "authorized_by"} {
		raw, ok := m[k]
		if !ok {
			continue
		}
		s, ok := raw.(string)
		if !ok {
			ps = append(ps, spec.problem(codes.ConfigInvalid, "private_network."+k,
				"private_network.%s must be a string, not %s", k, typeName(raw)))
			continue
		}
		if k == "policy" {
			pn.Policy = core.NetworkPolicy(s)
		} else {
			pn.AuthorizedBy = s
		}
	}
	if raw, ok := m["allowlist"]; ok {
		list, ok := raw.([]any)
		if !ok {
			return append(ps, spec.problem(codes.ConfigInvalid, "private_network.allowlist",
				"private_network.allowlist must be an array of strings, not %s", typeName(raw)))
		}
		pn.Allowlist = []string{}
		for i, e := range list {
			s, ok := e.(string)
			if !ok {
				ps = append(ps, spec.problem(codes.ConfigInvalid, "private_network.allowlist",
					"private_network.allowlist[%d] must be a string, not %s", i, typeName(e)))
				continue
			}
			pn.Allowlist = append(pn.Allowlist, s)
		}
	}
	return ps
}

func parseSigning(spec *TargetSpec, v any) []Problem {
	m, ps := subTable(spec, "signing", v)
	if m == nil {
		return ps
	}
	for _, k := range []string{"secret_file", "secret_env", "grace"} {
		raw, ok := m[k]
		if !ok {
			continue
		}
		key := "signing." + k
		s, ok := raw.(string)
		if !ok {
			ps = append(ps, spec.problem(codes.ConfigInvalid, key, "%s must be a string, not %s", key, typeName(raw)))
			continue
		}
		switch k {
		case "secret_file":
			if s == "" {
				ps = append(ps, spec.problem(codes.ConfigInvalid, key, "signing.secret_file is empty"))
			}
			spec.SecretFile = s
		case "secret_env":
			if s == "" {
				ps = append(ps, spec.problem(codes.ConfigInvalid, key, "signing.secret_env is empty"))
			}
			spec.SecretEnv = s
		case "grace":
			d, err := time.ParseDuration(s)
			if err != nil || d < 0 || d > MaxGrace {
				ps = append(ps, spec.problem(codes.ConfigInvalid, key,
					"signing.grace %s is not a duration from 0s to %s", strconv.Quote(s), MaxGrace))
				continue
			}
			spec.Grace = d
		}
	}
	if spec.SecretFile != "" && spec.SecretEnv != "" {
		ps = append(ps, spec.problem(codes.ConfigInvalid, "signing",
			"give the secret one way: secret_file or secret_env, not both"))
	}
	return ps
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
