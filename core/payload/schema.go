package payload

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/webriskops/webhook-setup/core/codes"
)

// SchemaID is the $id of the embedded schema. It is an identifier only:
// nothing is fetched from it.
const SchemaID = "https://webriskops.com/schemas/ticket-export.webhook.v1.json"

//go:embed ticket-export.webhook.v1.schema.json
var schemaJSON []byte

// Schema returns the JSON Schema (draft 2020-12) of ticket-export.webhook.v1,
// as shipped; its $defs/ticket is the schema of one input ticket.
func Schema() []byte { return bytes.Clone(schemaJSON) }

// schemas compiles the embedded schema once, on first use. Compiled schemas
// are safe for concurrent validation.
var schemas = sync.OnceValues(func() (*jsonschema.Schema, *jsonschema.Schema) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		panic("payload: embedded schema is not JSON: " + err.Error())
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat() // draft 2020-12 only annotates formats unless told
	if err := c.AddResource(SchemaID, doc); err != nil {
		panic("payload: embedded schema: " + err.Error())
	}
	return c.MustCompile(SchemaID), c.MustCompile(SchemaID + "#/$defs/ticket")
})

// schemaProviderKeys is the schema's enum of provider_key, read from the
// embedded schema once (it is the one place the list lives).
var schemaProviderKeys = sync.OnceValue(func() map[string]bool {
	var doc struct {
		Properties struct {
			ProviderKey struct {
				Enum []string `json:"enum"`
			} `json:"provider_key"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(schemaJSON, &doc); err != nil || len(doc.Properties.ProviderKey.Enum) == 0 {
		panic("payload: embedded schema has no provider_key enum")
	}
	keys := map[string]bool{}
	for _, k := range doc.Properties.ProviderKey.Enum {
		keys[k] = true
	}
	return keys
})

// kind names which schema validate uses.
type kind int

const (
	payloadSchema kind = iota
	ticketSchema
)

var printer = message.NewPrinter(language.English)

// maxReasons caps how many failures one error lists.
const maxReasons = 5

// validate decodes doc and validates it against the chosen schema; what
// names the document in the reason ("the body", "ticket 3").
func validate(k kind, doc []byte, what string) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return codes.Errorf(codes.PayloadInvalid, "%s is not one JSON value: %v", what, err).Wrap(err)
	}
	return validateValue(k, v, what)
}

func validateValue(k kind, v any, what string) error {
	p, t := schemas()
	sch := p
	if k == ticketSchema {
		sch = t
	}
	err := sch.Validate(v)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return codes.Errorf(codes.PayloadInvalid, "%s: %v", what, err).Wrap(err)
	}
	reasons := leaves(ve, nil)
	slices.Sort(reasons) // the library's order varies between runs; reasons must not
	extra := ""
	if len(reasons) > maxReasons {
		extra = fmt.Sprintf("; and %d more", len(reasons)-maxReasons)
		reasons = reasons[:maxReasons]
	}
	return codes.Errorf(codes.PayloadInvalid, "%s does not match %s: %s%s", what, "ticket-export.webhook.v1", strings.Join(reasons, "; "), extra).Wrap(err)
}

// leaves flattens the error tree to its innermost failures, each as
// "/json/pointer: message" ("(root)" for the document itself).
func leaves(e *jsonschema.ValidationError, out []string) []string {
	if len(e.Causes) == 0 {
		ptr := pointer(e.InstanceLocation)
		return append(out, ptr+": "+e.ErrorKind.LocalizedString(printer))
	}
	for _, c := range e.Causes {
		out = leaves(c, out)
	}
	return out
}

// pointer renders an instance location as an RFC 6901 JSON pointer.
func pointer(loc []string) string {
	if len(loc) == 0 {
		return "(root)"
	}
	var b strings.Builder
	for _, tok := range loc {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(tok))
	}
	return b.String()
}
