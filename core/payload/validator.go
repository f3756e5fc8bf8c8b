package payload

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The embedded schema is checked by a small validator of the JSON Schema
// (draft 2020-12) keywords it uses, compiled from the schema itself, so the
// schema file stays the one place the rules live. A general JSON Schema
// library cost every command 3–4 ms of start-up (its package init compiles
// the meta-schemas of five drafts) and an export a tenth of its input
// check; docs/performance.md has the figures. compileNode refuses a keyword
// it does not implement, so a schema change cannot pass unchecked, and a
// differential fuzz test (FuzzValidatorAgreesWithJSONSchema) holds it to
// the library's verdicts.

// node is one compiled (sub)schema.
type node struct {
	types      []string // "object", "string", …; empty: any type
	enum       []any    // allowed values (const is an enum of one)
	isConst    bool
	minLength  int // in characters; -1: none
	maxLength  int
	pattern    *regexp.Regexp
	format     string
	properties map[string]*node
	required   []string
	closed     bool // additionalProperties: false
	items      *node
	maxItems   int // -1: none
	unique     bool
	ref        string // "#/$defs/NAME", resolved into target
	target     *node
}

// annotations are keywords that carry no assertion.
var annotations = map[string]bool{
	"$schema": true, "$id": true, "$defs": true, "$comment": true,
	"title": true, "description": true, "examples": true, "default": true,
}

// compileSchema compiles the schema document doc (decoded JSON), and each
// of its $defs by reference ("#/$defs/NAME"), and resolves the references. It panics on a keyword or a reference it
// does not implement: the schema is embedded, so that is a build defect,
// and every test that validates anything finds it.
func compileSchema(doc map[string]any) (root *node, defs map[string]*node) {
	defs = map[string]*node{}
	var refs []*node
	root = compileNode(doc, "#", &refs)
	if raw, ok := doc["$defs"].(map[string]any); ok {
		for name, d := range raw {
			defs["#/$defs/"+name] = compileNode(d.(map[string]any), "#/$defs/"+name, &refs)
		}
	}
	for _, n := range refs {
		if n.target = defs[n.ref]; n.target == nil {
			panic("payload: the schema refers to " + n.ref + ", which it does not define")
		}
	}
	return root, defs
}

func compileNode(m map[string]any, at string, refs *[]*node) *node {
	n := &node{minLength: -1, maxLength: -1, maxItems: -1}
	for k, v := range m {
		switch k {
		case "type":
			switch t := v.(type) {
			case string:
				n.types = []string{t}
			case []any:
				for _, e := range t {
					n.types = append(n.types, e.(string))
				}
			}
		case "enum":
			n.enum = v.([]any)
		case "const":
			n.enum, n.isConst = []any{v}, true
		case "minLength":
			n.minLength = schemaInt(v)
		case "maxLength":
			n.maxLength = schemaInt(v)
		case "maxItems":
			n.maxItems = schemaInt(v)
		case "uniqueItems":
			n.unique = v.(bool)
		case "pattern":
			n.pattern = regexp.MustCompile(v.(string))
		case "format":
			n.format = v.(string)
			if formats[n.format] == nil {
				panic("payload: the schema at " + at + " uses format " + n.format + ", which the validator does not check")
			}
		case "required":
			for _, e := range v.([]any) {
				n.required = append(n.required, e.(string))
			}
		case "additionalProperties":
			if b, ok := v.(bool); !ok || b {
				panic("payload: the schema at " + at + ": only additionalProperties: false is implemented")
			}
			n.closed = true
		case "properties":
			n.properties = map[string]*node{}
			for name, p := range v.(map[string]any) {
				n.properties[name] = compileNode(p.(map[string]any), at+"/properties/"+name, refs)
			}
		case "items":
			n.items = compileNode(v.(map[string]any), at+"/items", refs)
		case "$ref":
			n.ref = v.(string)
			*refs = append(*refs, n)
		default:
			if !annotations[k] {
				panic("payload: the schema at " + at + " uses " + k + ", which the validator does not implement")
			}
		}
	}
	return n
}

func schemaInt(v any) int {
	switch v := v.(type) {
	case json.Number:
		i, err := v.Int64()
		if err == nil {
			return int(i)
		}
	case float64:
		return int(v)
	}
	panic(fmt.Sprintf("payload: the schema has %v where a whole number belongs", v))
}

// failure is one innermost failure: where in the instance, and why.
type failure struct {
	at  []string
	why string
}

// check appends to out every failure of v against n; at is v's location.
func (n *node) check(v any, at []string, out []failure) []failure {
	fail := func(format string, args ...any) {
		out = append(out, failure{slices.Clone(at), fmt.Sprintf(format, args...)})
	}
	if n.target != nil {
		out = n.target.check(v, at, out)
	}
	if len(n.types) > 0 && !slices.Contains(n.types, jsonType(v)) {
		fail("got %s, want %s", jsonType(v), strings.Join(n.types, " or "))
	}
	if n.enum != nil && !slices.ContainsFunc(n.enum, func(e any) bool { return sameJSON(e, v) }) {
		want := make([]string, len(n.enum))
		for i, e := range n.enum {
			want[i] = display(e)
		}
		if len(want) == 1 {
			fail("value must be %s", want[0])
		} else {
			fail("value must be one of %s", strings.Join(want, ", "))
		}
	}
	switch v := v.(type) {
	case map[string]any:
		out = n.checkObject(v, at, out)
	case []any:
		out = n.checkArray(v, at, out)
	case string:
		out = n.checkString(v, at, out)
	}
	return out
}

func (n *node) checkObject(obj map[string]any, at []string, out []failure) []failure {
	var missing, extra []string
	for _, name := range n.required {
		if _, ok := obj[name]; !ok {
			missing = append(missing, name)
		}
	}
	switch len(missing) {
	case 0:
	case 1:
		out = append(out, failure{slices.Clone(at), "missing property " + quote(missing[0])})
	default:
		out = append(out, failure{slices.Clone(at), "missing properties " + joinQuoted(missing)})
	}
	for name, pv := range obj {
		if p, ok := n.properties[name]; ok {
			out = p.check(pv, append(at, name), out)
		} else if n.closed {
			extra = append(extra, name)
		}
	}
	if len(extra) > 0 {
		slices.Sort(extra)
		out = append(out, failure{slices.Clone(at), "additional properties " + joinQuoted(extra) + " not allowed"})
	}
	return out
}

func (n *node) checkArray(arr []any, at []string, out []failure) []failure {
	if n.maxItems >= 0 && len(arr) > n.maxItems {
		out = append(out, failure{slices.Clone(at), fmt.Sprintf("maxItems: got %d, want %d", len(arr), n.maxItems)})
	}
	if n.unique {
	dup:
		for i := range arr {
			for j := i + 1; j < len(arr); j++ {
				if sameJSON(arr[i], arr[j]) {
					out = append(out, failure{slices.Clone(at), fmt.Sprintf("items at %d and %d are equal", i, j)})
					break dup
				}
			}
		}
	}
	if n.items != nil {
		for i, e := range arr {
			out = n.items.check(e, append(at, strconv.Itoa(i)), out)
		}
	}
	return out
}

func (n *node) checkString(s string, at []string, out []failure) []failure {
	if n.minLength >= 0 || n.maxLength >= 0 {
		l := utf8.RuneCountInString(s)
		if n.minLength >= 0 && l < n.minLength {
			out = append(out, failure{slices.Clone(at), fmt.Sprintf("minLength: got %d, want %d", l, n.minLength)})
		}
		if n.maxLength >= 0 && l > n.maxLength {
			out = append(out, failure{slices.Clone(at), fmt.Sprintf("maxLength: got %d, want %d", l, n.maxLength)})
		}
	}
	if n.pattern != nil && !n.pattern.MatchString(s) {
		out = append(out, failure{slices.Clone(at), quote(s) + " does not match pattern " + quote(n.pattern.String())})
	}
	if n.format != "" {
		if err := formats[n.format](s); err != nil {
			out = append(out, failure{slices.Clone(at), fmt.Sprintf("%s is not valid %s: %v", quote(s), n.format, err)})
		}
	}
	return out
}

// jsonType names the JSON type of a decoded value (decoded with UseNumber).
func jsonType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		if _, err := v.Int64(); err == nil {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// sameJSON reports whether two decoded JSON values are equal as JSON.
// Numbers compare by value; the schema's enums and consts hold strings
// only, so exactness beyond float64 does not matter here.
func sameJSON(a, b any) bool {
	switch a := a.(type) {
	case json.Number:
		bn, ok := b.(json.Number)
		if !ok {
			return false
		}
		af, err1 := a.Float64()
		bf, err2 := bn.Float64()
		return err1 == nil && err2 == nil && af == bf
	case []any:
		bs, ok := b.([]any)
		return ok && slices.EqualFunc(a, bs, sameJSON)
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, av := range a {
			bv, ok := bm[k]
			if !ok || !sameJSON(av, bv) {
				return false
			}
		}
		return true
	}
	return a == b
}

// quote renders s in single quotes, as the failures have always read.
func quote(s string) string {
	q := strconv.Quote(s)
	q = strings.ReplaceAll(q[1:len(q)-1], `\"`, `"`)
	return "'" + strings.ReplaceAll(q, `'`, `\'`) + "'"
}

func joinQuoted(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quote(n)
	}
	return strings.Join(q, ", ")
}

func display(v any) string {
	switch v := v.(type) {
	case string:
		return quote(v)
	case []any, map[string]any:
		return "value"
	}
	return fmt.Sprint(v)
}

// formats are the "format" assertions the schema uses.
var formats = map[string]func(string) error{
	"date":      checkDate,
	"date-time": checkDateTime,
	"uri":       checkURI,
}

// checkDate: an RFC 3339 full-date (a real day of a real month).
func checkDate(s string) error {
	_, err := time.Parse("2006-01-02", s)
	return err
}

// checkDateTime: an RFC 3339 date-time, section 5.6, leap seconds only at
// 23:59 UTC.
func checkDateTime(s string) error {
	if len(s) < 20 {
		return fmt.Errorf("less than 20 characters long")
	}
	if s[10] != 'T' && s[10] != 't' {
		return fmt.Errorf("11th character must be t or T")
	}
	if err := checkDate(s[:10]); err != nil {
		return fmt.Errorf("invalid date element: %v", err)
	}
	if err := checkTimeOfDay(s[11:]); err != nil {
		return fmt.Errorf("invalid time element: %v", err)
	}
	return nil
}

// twoDigits parses s[i:i+2] as a number of two decimal digits.
func twoDigits(s string, i int) (int, bool) {
	if i+2 > len(s) || s[i] < '0' || s[i] > '9' || s[i+1] < '0' || s[i+1] > '9' {
		return 0, false
	}
	return int(s[i]-'0')*10 + int(s[i+1]-'0'), true
}

func checkTimeOfDay(s string) error {
	if len(s) < 9 || s[2] != ':' || s[5] != ':' {
		return fmt.Errorf("want hh:mm:ss and an offset")
	}
	h, okH := twoDigits(s, 0)
	m, okM := twoDigits(s, 3)
	sec, okS := twoDigits(s, 6)
	if !okH || !okM || !okS {
		return fmt.Errorf("invalid hour/min/sec")
	}
	if h > 23 || m > 59 || sec > 60 {
		return fmt.Errorf("hour/min/sec out of range")
	}
	rest := s[8:]
	if frac, ok := strings.CutPrefix(rest, "."); ok {
		digits := 0
		for digits < len(frac) && frac[digits] >= '0' && frac[digits] <= '9' {
			digits++
		}
		if digits == 0 {
			return fmt.Errorf("no digits in second fraction")
		}
		rest = frac[digits:]
	}
	if rest != "Z" && rest != "z" {
		if len(rest) != 6 || (rest[0] != '+' && rest[0] != '-') || rest[3] != ':' {
			return fmt.Errorf("offset must be Z or ±hh:mm")
		}
		zh, okZH := twoDigits(rest, 1)
		zm, okZM := twoDigits(rest, 4)
		if !okZH || !okZM || zh > 23 || zm > 59 {
			return fmt.Errorf("hour/min in offset out of range")
		}
		sign := 1 // the offset is subtracted to reach UTC
		if rest[0] == '+' {
			sign = -1
		}
		hm := (h*60 + m) + sign*(zh*60+zm)
		if hm < 0 {
			hm += 24 * 60
		}
		h, m = hm/60%24, hm%60
	}
	if sec == 60 && (h != 23 || m != 59) {
		return fmt.Errorf("invalid leap second")
	}
	return nil
}

// checkURI: an absolute URI that net/url parses, an IPv6 host in brackets.
func checkURI(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if host := u.Hostname(); strings.Contains(host, ":") {
		if !strings.Contains(u.Host, "[") || !strings.Contains(u.Host, "]") {
			return fmt.Errorf("ipv6 address not enclosed in brackets")
		}
		if addr, err := netip.ParseAddr(host); err != nil || addr.Zone() != "" {
			return fmt.Errorf("invalid ipv6 address")
		}
	}
	if !u.IsAbs() {
		return fmt.Errorf("relative url")
	}
	return nil
}
