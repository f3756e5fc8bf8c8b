package config

import (
	"bytes"
	"fmt"
	"path"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
)

// The extra headers of a target in a target file:
//
//	standard_webhooks = true        # in [[target]]
//
//	[target.edge_auth]
//	header = "x-make-apikey"
//	value_file = "secrets/NAME.edge"  # or value_env = "VARIABLE"
//
// The edge value is a credential: like the signing secret it comes from a
// file or an environment variable, never from the target file.

// EdgePlaceholder is the value_file an exported target with edge
// authentication names: a file under secrets/ beside the target file.
func EdgePlaceholder(name string) string {
	return path.Join("secrets", name+".edge")
}

// parseStandardWebhooks reads the standard_webhooks key.
func parseStandardWebhooks(spec *TargetSpec, v any) []Problem {
	b, ok := v.(bool)
	if !ok {
		return []Problem{spec.problem(codes.ConfigInvalid, "standard_webhooks", "standard_webhooks must be true or false, not %s", typeName(v))}
	}
	spec.Target.StandardWebhooks = b
	return nil
}

// parseEdge reads [target.edge_auth]. A literal value is refused like a
// literal secret.
func parseEdge(spec *TargetSpec, v any) []Problem {
	var ps []Problem
	if m, ok := v.(map[string]any); ok {
		if _, literal := m["value"]; literal {
			p := spec.problem(codes.ConfigInvalid, "edge_auth.value",
				"a literal edge value (edge_auth.value) is refused: the file would hold the credential")
			p.Fix = `Remove the value from the file and name its source: value_file = "path" or value_env = "VARIABLE".`
			ps = append(ps, p)
			rest := make(map[string]any, len(m))
			for k, x := range m {
				if k != "value" {
					rest[k] = x
				}
			}
			v = rest
		}
	}
	m, tps := subTable(spec, "edge_auth", v)
	ps = append(ps, tps...)
	if m == nil {
		return ps
	}
	var header string
	for _, k := range []string{"header", "value_file", "value_env"} {
		raw, ok := m[k]
		if !ok {
			continue
		}
		key := "edge_auth." + k
		s, ok := raw.(string)
		if !ok {
			ps = append(ps, spec.problem(codes.ConfigInvalid, key, "%s must be a string, not %s", key, typeName(raw)))
			continue
		}
		if s == "" {
			ps = append(ps, spec.problem(codes.ConfigInvalid, key, "%s is empty", key))
			continue
		}
		switch k {
		case "header":
			header = s
		case "value_file":
			spec.EdgeValueFile = s
		case "value_env":
			spec.EdgeValueEnv = s
		}
	}
	if header == "" {
		p := spec.problem(codes.EdgeValueMissing, "edge_auth.header", "[target.edge_auth] names no header")
		ps = append(ps, p)
	} else {
		spec.Target.EdgeAuth = &core.EdgeAuth{Header: header}
	}
	if spec.EdgeValueFile != "" && spec.EdgeValueEnv != "" {
		ps = append(ps, spec.problem(codes.ConfigInvalid, "edge_auth",
			"give the edge value one way: value_file or value_env, not both"))
	}
	return ps
}

// edgeSourceKey is the key that names the edge value's source, for
// messages.
func (s TargetSpec) edgeSourceKey() string {
	if s.EdgeValueEnv != "" {
		return "edge_auth.value_env"
	}
	return "edge_auth.value_file"
}

// planEdge decides what applying spec does to the edge value: the value to
// store (empty: keep the stored one, or none) and the problems. cur is the
// stored target, nil for a new one. A value is compared by fingerprint, so
// no stored value is read.
func planEdge(spec TargetSpec, in Input, cur *core.Target) (string, []Problem) {
	want := spec.Target.EdgeAuth
	if want == nil {
		return "", nil
	}
	at := func(p codes.Problem) Problem {
		return Problem{File: spec.File, Line: spec.LineOf(p.Field), Target: spec.Target.Name, Problem: p}
	}
	var ps []Problem
	if p := core.CheckEdgeHeader(want.Header); p != nil {
		ps = append(ps, at(*p))
	}
	v, hasSource := in.EdgeValues[spec.Target.Name]
	if !hasSource && (spec.EdgeValueFile != "" || spec.EdgeValueEnv != "") {
		p := codes.NewProblem(codes.EdgeValueMissing, "", "the edge value named here was not read")
		v, hasSource = Secret{Problem: &p}, true
	}
	if !hasSource {
		if cur == nil || cur.EdgeAuth == nil {
			p := codes.NewProblem(codes.EdgeValueMissing, "edge_auth",
				"no edge value is stored for this target: name its source in [target.edge_auth]")
			p.Fix = `Add value_file = "path" (relative to the file) or value_env = "VARIABLE" to [target.edge_auth].`
			ps = append(ps, at(p))
		}
		return "", ps
	}
	if v.Problem == nil {
		v.Problem = core.CheckEdgeValue(v.Value)
	}
	if v.Problem != nil {
		p := *v.Problem
		p.Field = spec.edgeSourceKey()
		return "", append(ps, at(p))
	}
	if cur != nil && cur.EdgeAuth != nil && cur.EdgeAuth.Fingerprint == signing.Fingerprint(v.Value) {
		return "", ps
	}
	return v.Value, ps
}

// exportStandardWebhooks writes standard_webhooks = true when t has the
// profile; it goes in the [[target]] table, before any sub-table.
func exportStandardWebhooks(b *bytes.Buffer, t core.Target) {
	if t.StandardWebhooks {
		kv(b, "standard_webhooks", "true")
	}
}

// exportEdge writes [target.edge_auth] with the header and a value_file
// placeholder whose comment gives the value's fingerprint, never the value.
func exportEdge(b *bytes.Buffer, t core.Target) {
	if t.EdgeAuth == nil {
		return
	}
	b.WriteString("\n[target.edge_auth]\n")
	kv(b, "header", Quote(t.EdgeAuth.Header))
	fmt.Fprintf(b, "# Placeholder: put the current edge value (%s) in this file.\n", t.EdgeAuth.Fingerprint)
	kv(b, "value_file", Quote(EdgePlaceholder(t.Name)))
}
