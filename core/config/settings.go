package config

import (
	"sort"
	"strconv"
	"strings"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

// Kind is the TOML type a setting is written as.
type Kind int

// The kinds of settings. Durations are strings ("60s") and are checked,
// like every value's range, by the caller that owns the setting.
const (
	String Kind = iota
	Integer
	Boolean
)

func (k Kind) String() string {
	switch k {
	case Integer:
		return "an integer"
	case Boolean:
		return "true or false"
	}
	return "a string"
}

// Setting is one value from the settings file with the line it is on.
type Setting struct {
	Value string
	Line  int
}

// ParseSettings reads a settings file. schema maps every known key
// ("db_path", "delivery.max_attempts") to its kind; the caller owns that
// table, so the file format cannot drift from the settings it feeds. The
// result maps each key that is set to its value as a string, for the
// caller's own checks of ranges and formats.
//
// A syntax error, an unknown key or a value of the wrong TOML type is a
// ConfigInvalid error whose problems name each key and its line; every
// such problem in the file is reported at once.
func ParseSettings(data []byte, path string, schema map[string]Kind) (map[string]Setting, error) {
	doc, ps := parse(data, path)
	if len(ps) > 0 {
		return nil, Error(ps)
	}
	sections := map[string]bool{}
	for key := range schema {
		for p := parentPath(key); p != ""; p = parentPath(p) {
			sections[p] = true
		}
	}
	out := map[string]Setting{}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for _, k := range sortedKeys(m) {
			key := join(prefix, k)
			v := m[k]
			line := doc.line(key)
			kind, known := schema[key]
			switch {
			case sections[key]:
				if sub, ok := v.(map[string]any); ok {
					walk(key, sub)
				} else {
					ps = keep(ps, newProblem(path, line, codes.ConfigInvalid, key,
						"%s must be a table ([%s]), not %s", key, key, typeName(v)))
				}
			case !known && len(ps) >= maxProblemsKept:
				ps = keep(ps, Problem{File: path, Tally: 1}) // not built: only counted
			case !known:
				ps = append(ps, unknownKey(path, line, key, knownIn(schema, prefix)))
			default:
				s, ok := scalar(v, kind)
				if !ok {
					ps = keep(ps, newProblem(path, line, codes.ConfigInvalid, key,
						"%s must be %s, not %s", key, kind, typeName(v)))
					continue
				}
				out[key] = Setting{Value: s, Line: line}
			}
		}
	}
	walk("", doc.root)
	if len(ps) > 0 {
		return nil, Error(ps)
	}
	return out, nil
}

// scalar renders v as the string form of kind, or reports a type mismatch.
func scalar(v any, kind Kind) (string, bool) {
	switch kind {
	case Integer:
		n, ok := v.(int64)
		return strconv.FormatInt(n, 10), ok
	case Boolean:
		b, ok := v.(bool)
		return strconv.FormatBool(b), ok
	}
	s, ok := v.(string)
	return s, ok
}

// knownIn lists the keys directly under prefix, for "unknown key" hints.
func knownIn(schema map[string]Kind, prefix string) []string {
	seen := map[string]bool{}
	var out []string
	for key := range schema {
		rest, ok := strings.CutPrefix(key, prefix)
		if prefix != "" {
			if !ok || !strings.HasPrefix(rest, ".") {
				continue
			}
			rest = rest[1:]
		}
		first, _, _ := strings.Cut(rest, ".")
		if !seen[first] {
			seen[first] = true
			out = append(out, first)
		}
	}
	sort.Strings(out)
	return out
}

func unknownKey(file string, line int, key string, known []string) Problem {
	p := newProblem(file, line, codes.ConfigInvalid, key, "unknown key %s", core.Clip(key))
	if len(known) > 0 {
		p.Fix = "Remove or correct the key; known keys here: " + strings.Join(known, ", ") + "."
	}
	return p
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
