package payload

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The validator (validator.go) is held to a general JSON Schema library,
// santhosh-tekuri/jsonschema/v6, which checked the schema before it and
// stays a test-only dependency: for any JSON value, against the whole
// body schema and the ticket schema, both must agree on the verdict and on
// which JSON pointers fail.

// reference compiles the embedded schema with the library, as the product
// did until the validator replaced it (formats asserted, draft 2020-12).
func reference(t testing.TB) (whole, ticket *jsonschema.Schema) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	return c.MustCompile(SchemaID), c.MustCompile(SchemaID + "#/$defs/ticket")
}

// referencePointers are the JSON pointers of the library's innermost
// failures, sorted and without repeats; nil when v is valid.
func referencePointers(t testing.TB, sch *jsonschema.Schema, v any) []string {
	err := sch.Validate(v)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("the library failed without a validation error: %v", err)
	}
	var out []string
	var walk func(*jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			out = append(out, pointer(e.InstanceLocation))
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	slices.Sort(out)
	return slices.Compact(out)
}

func ourPointers(n *node, v any) []string {
	var out []string
	for _, f := range n.check(v, nil, nil) {
		out = append(out, pointer(f.at))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// agree checks doc against both schemas with both validators.
func agree(t *testing.T, whole, ticket *jsonschema.Schema, doc []byte) {
	t.Helper()
	v, err := decodeJSON(doc)
	if err != nil {
		return // not one JSON value: neither validator sees it
	}
	ourWhole, ourTicket := schemas()
	for _, s := range []struct {
		name string
		ref  *jsonschema.Schema
		our  *node
	}{{"body", whole, ourWhole}, {"ticket", ticket, ourTicket}} {
		want, got := referencePointers(t, s.ref, v), ourPointers(s.our, v)
		if !slices.Equal(want, got) {
			t.Fatalf("%s schema, %s:\n the library fails at %q\n the validator fails at %q", s.name, doc, want, got)
		}
	}
}

// validBody is a body Build makes, as decoded JSON to mutate.
func validBody(t testing.TB) map[string]any {
	t.Helper()
	tk, err := collect(t3)
	if err != nil {
		t.Fatal(err)
	}
	body, err := Build(docTarget, "generic_webhook", tk[0], docKey, false, docNow)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// odd values to put anywhere: every JSON type, strings at and past the
// schema's edges, dates and times the formats refuse though the patterns
// pass them.
var oddValues = []any{
	nil, true, false, 0, 1.5, -7, "", " ", "\t", "x", "é", strings.Repeat("é", 201), strings.Repeat("a", 20001),
	[]any{}, []any{"a", "a"}, []any{"a", 1}, []any{""}, []any{" "}, map[string]any{}, map[string]any{"a": 1},
	"2024-02-30", "2023-02-29", "2024-13-01", "2024-02-29", "2024-00-10",
	"2024-06-01T24:00:00Z", "2024-06-01T23:59:60Z", "2024-06-01T12:59:60Z", "2024-06-01T12:00:00.123456789Z", "2024-06-01T12:00:00+01:00",
	"http://x", "https://[::1]/a", "https://[fe80::1%25eth0]/", "https://a b/", "https://u:p@h/", "ftp://h/", "https://h:99999/", "https://h/%zz",
	"wro_abc", "ticket-export.webhook.v1", "ticket_export.requested", "zapier_webhook", "high", "fix_task", "UPPER", "a-b", "-a",
	strings.Repeat("k", 129), strings.Repeat("n", 63), strings.Repeat("n", 64),
}

// TestValidatorAgreesWithJSONSchema puts every odd value at every place
// of a valid body (and of its ticket), removes each field, and adds an
// unknown one, and checks both validators agree each time.
func TestValidatorAgreesWithJSONSchema(t *testing.T) {
	whole, ticket := reference(t)
	base := validBody(t)
	check := func(m map[string]any) {
		t.Helper()
		doc, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		agree(t, whole, ticket, doc)
		if tk, ok := m["ticket"]; ok {
			doc, _ = json.Marshal(tk)
			agree(t, whole, ticket, doc)
		}
	}
	check(base)
	// places: each top-level field, each field of target and of ticket.
	type place struct{ obj, key string }
	var places []place
	for k := range base {
		places = append(places, place{"", k})
	}
	for _, obj := range []string{"target", "ticket"} {
		for k := range base[obj].(map[string]any) {
			places = append(places, place{obj, k})
		}
	}
	places = append(places, place{"ticket", "due_date"}, place{"ticket", "unknown"}, place{"", "unknown"}, place{"target", "unknown"})
	clone := func() map[string]any {
		var m map[string]any
		b, _ := json.Marshal(base)
		json.Unmarshal(b, &m)
		return m
	}
	at := func(m map[string]any, p place) map[string]any {
		if p.obj == "" {
			return m
		}
		return m[p.obj].(map[string]any)
	}
	cases := 0
	for _, p := range places {
		m := clone()
		delete(at(m, p), p.key)
		check(m)
		cases++
		for _, v := range oddValues {
			m := clone()
			at(m, p)[p.key] = v
			check(m)
			cases++
		}
	}
	// several failures at once, and labels' items.
	m := clone()
	tk := m["ticket"].(map[string]any)
	tk["labels"] = []any{"a", "", 3, "a", strings.Repeat("l", 101)}
	tk["severity"], tk["extra"] = "urgent", 1
	delete(tk, "title")
	delete(m, "event")
	check(m)
	for _, doc := range []string{`null`, `[]`, `"x"`, `7`, `{}`, `{"ticket":null}`} {
		agree(t, whole, ticket, []byte(doc))
	}
	t.Logf("%d documents, each against both schemas", 2*cases)
}

// FuzzValidatorAgreesWithJSONSchema: for any input that is one JSON value,
// the validator and the library agree, against both schemas.
func FuzzValidatorAgreesWithJSONSchema(f *testing.F) {
	for _, s := range []string{t1, t2, t3, `{}`, `[]`, `{"title":5}`, `{"labels":["a","a"]}`} {
		f.Add([]byte(s))
	}
	body, _ := json.Marshal(validBody(f))
	f.Add(body)
	whole, ticket := reference(f)
	f.Fuzz(func(t *testing.T, doc []byte) {
		agree(t, whole, ticket, doc)
	})
}

// TestValidatorMessages: each kind of failure reads as it always has.
func TestValidatorMessages(t *testing.T) {
	_, ticket := schemas()
	for _, tt := range []struct{ doc, want string }{
		{`{"title":"x","description":"","severity":"high","kind":"finding"}`, "(root): missing property 'finding_id'"},
		{`{"description":"","severity":"high","kind":"finding"}`, "(root): missing properties 'title', 'finding_id'"},
		{`{"title":"x","description":"","severity":"high","kind":"finding","finding_id":"f","b":1,"a":2}`, "(root): additional properties 'a', 'b' not allowed"},
		{`{"title":5,"description":"","severity":"high","kind":"finding","finding_id":"f"}`, "/title: got integer, want string"},
		{`{"title":"x","description":"","severity":"urgent","kind":"finding","finding_id":"f"}`, "/severity: value must be one of 'critical', 'high', 'medium', 'low', 'info'"},
		{`{"title":" ","description":"","severity":"high","kind":"finding","finding_id":"f"}`, `/title: ' ' does not match pattern '\\S'`},
		{`{"title":"","description":"","severity":"high","kind":"finding","finding_id":"f"}`, "/title: minLength: got 0, want 1"},
		{`{"title":"x","description":"","severity":"high","kind":"finding","finding_id":"f","due_date":"2023-02-29"}`, "/due_date: '2023-02-29' is not valid date: "},
		{`{"title":"x","description":"","severity":"high","kind":"finding","finding_id":"f","labels":["a","a"]}`, "/labels: items at 0 and 1 are equal"},
	} {
		v, err := decodeJSON([]byte(tt.doc))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range ticket.check(v, nil, nil) {
			got = append(got, pointer(f.at)+": "+f.why)
		}
		if !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, tt.want) }) {
			t.Errorf("%s:\n got  %q\n want %q", tt.doc, got, tt.want)
		}
	}
	whole, _ := schemas()
	v, _ := decodeJSON([]byte(`{"schema_version":"v0"}`))
	if got := whole.check(v, nil, nil); !slices.ContainsFunc(got, func(f failure) bool {
		return f.why == "value must be 'ticket-export.webhook.v1'"
	}) {
		t.Errorf("const: %+v", got)
	}
}

// TestCompileRefusesWhatItDoesNotImplement: a keyword, format or
// reference the validator does not know stops the build's tests rather
// than passing unchecked.
func TestCompileRefusesWhatItDoesNotImplement(t *testing.T) {
	for _, doc := range []string{
		`{"type":"number","minimum":1}`,
		`{"type":"string","format":"email"}`,
		`{"additionalProperties":{"type":"string"}}`,
		`{"$ref":"#/$defs/nothing"}`,
		`{"properties":{"a":{"oneOf":[]}}}`,
	} {
		v, _ := decodeJSON([]byte(doc))
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s compiled", doc)
				}
			}()
			compileSchema(v.(map[string]any))
		}()
	}
}
