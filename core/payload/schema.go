package payload

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

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

// schemas compiles the embedded schema once, on first use: the whole
// document and its $defs/ticket. Compiled schemas are read-only, safe for
// concurrent validation.
var schemas = sync.OnceValues(func() (*node, *node) {
	doc, err := decodeJSON(schemaJSON)
	if err != nil {
		panic("payload: embedded schema is not JSON: " + err.Error())
	}
	whole, defs := compileSchema(doc.(map[string]any))
	return whole, defs["#/$defs/ticket"]
})

// decodeJSON decodes one JSON value, numbers kept as json.Number, and
// refuses anything after it.
func decodeJSON(doc []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("invalid character after top-level value")
	}
	return v, nil
}

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

// maxReasons caps how many failures one error lists.
const maxReasons = 5

// validate decodes doc and validates it against the chosen schema; what
// names the document in the reason ("the body", "ticket 3").
func validate(k kind, doc []byte, what string) error {
	v, err := decodeJSON(doc)
	if err != nil {
		return codes.Errorf(codes.PayloadInvalid, "%s is not one JSON value: %v", what, err).Wrap(err)
	}
	return validateValue(k, v, what)
}

func validateValue(k kind, v any, what string) error {
	whole, ticket := schemas()
	sch := whole
	if k == ticketSchema {
		sch = ticket
	}
	failures := sch.check(v, nil, nil)
	if len(failures) == 0 {
		return nil
	}
	reasons := make([]string, len(failures))
	for i, f := range failures {
		reasons[i] = pointer(f.at) + ": " + f.why
	}
	slices.Sort(reasons) // objects' keys come in map order; reasons must not
	extra := ""
	if len(reasons) > maxReasons {
		extra = fmt.Sprintf("; and %d more", len(reasons)-maxReasons)
		reasons = reasons[:maxReasons]
	}
	return codes.Errorf(codes.PayloadInvalid, "%s does not match %s: %s%s", what, "ticket-export.webhook.v1", strings.Join(reasons, "; "), extra)
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
