package recipes

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/webriskops/webhook-setup/core/payload"
)

// schemaKeywords are the JSON Schema keywords the recipes' small validators
// understand. schemaRules refuses a schema that uses any other (apart from
// the annotations it strips), so a change to ticket-export.webhook.v1 that
// a recipe would silently skip fails the tests instead.
var schemaKeywords = map[string]bool{
	"type": true, "const": true, "enum": true, "required": true, "properties": true,
	"additionalProperties": true, "pattern": true, "minLength": true, "maxLength": true,
	"items": true, "maxItems": true, "uniqueItems": true, "$ref": true, "$defs": true,
}

// schemaAnnotations are dropped: they change no verdict ("format" is
// covered by each field's pattern).
var schemaAnnotations = map[string]bool{
	"$schema": true, "$id": true, "title": true, "description": true, "format": true,
}

// schemaRules returns ticket-export.webhook.v1 as indented JSON (short
// lines, for the wizard's pager and people) without its annotations: what
// the recipes embed and check a signed body against. It panics on a keyword the validators do
// not know (the schema is embedded, so the tests see it first).
var schemaRules = func() string {
	var doc any
	if err := json.Unmarshal(payload.Schema(), &doc); err != nil {
		panic("recipes: the payload schema is not JSON: " + err.Error())
	}
	stripped, err := stripSchema(doc, false)
	if err != nil {
		panic("recipes: " + err.Error())
	}
	b, err := json.MarshalIndent(stripped, "", "  ")
	if err != nil {
		panic(err)
	}
	text := string(b)
	// The text is pasted into a JavaScript literal, a Python r'''...'''
	// string and a Go raw string.
	if strings.Contains(text, "'''") || strings.Contains(text, "`") {
		panic("recipes: the schema cannot be quoted in every recipe")
	}
	return text
}()

// stripSchema walks a schema; names is true when v is a map of property
// or definition names to schemas rather than a schema itself.
func stripSchema(v any, names bool) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !names && schemaAnnotations[k] {
				continue
			}
			if !names && !schemaKeywords[k] {
				return nil, fmt.Errorf("the payload schema uses %q, which the recipes' validators do not check", k)
			}
			sub, err := stripSchema(v[k], !names && (k == "properties" || k == "$defs"))
			if err != nil {
				return nil, err
			}
			out[k] = sub
		}
		return out, nil
	case []any:
		return v, nil
	}
	return v, nil
}
