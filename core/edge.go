package core

import (
	"fmt"
	"strings"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
)

// EdgeAuth is a target's edge authentication: a static header the
// platform checks before any step of the receiver runs (Make's
// x-make-apikey, n8n's Header Auth, a reverse proxy's header). The value is
// a credential and travels separately, like the signing secret: a Target
// holds only the header name and the value's fingerprint.
type EdgeAuth struct {
	Header      string    `json:"header"`
	Fingerprint string    `json:"fingerprint"`
	CreatedAt   time.Time `json:"created_at"`
}

// forbiddenEdgeHeaders are headers HTTP itself manages (framing, routing,
// connection handling): a static value there would break the request.
var forbiddenEdgeHeaders = []string{
	"Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade",
	"TE", "Trailer", "Expect", "Proxy-Connection", "Content-Encoding", "Accept-Encoding",
}

// CheckEdgeHeader returns a problem unless name can carry an edge value: an
// HTTP token (RFC 9110 tchar) of at most 64 characters that is neither a
// header the delivery sets (signing.IsDeliveryHeader) nor one HTTP manages.
func CheckEdgeHeader(name string) *codes.Problem {
	bad := func(reason string) *codes.Problem {
		p := codes.NewProblem(codes.EdgeHeaderInvalid, "edge_auth.header", reason)
		return &p
	}
	if name == "" {
		return bad("the edge authentication header name is empty")
	}
	if len(name) > MaxEdgeHeaderLen {
		return bad(fmt.Sprintf("the edge authentication header name is %d characters; at most %d are allowed", len(name), MaxEdgeHeaderLen))
	}
	for i := 0; i < len(name); i++ {
		if !tchar(name[i]) {
			return bad(fmt.Sprintf("the edge authentication header name has a character that is not allowed in a header name at position %d", i+1))
		}
	}
	if signing.IsDeliveryHeader(name) {
		return bad(fmt.Sprintf("%s is set by every delivery itself (docs/signing.md), so it cannot carry the edge value", name))
	}
	for _, h := range forbiddenEdgeHeaders {
		if strings.EqualFold(h, name) {
			return bad(fmt.Sprintf("%s is managed by HTTP itself, so it cannot carry the edge value", name))
		}
	}
	return nil
}

// tchar reports whether c may appear in an HTTP header name.
func tchar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// CheckEdgeValue returns a problem unless v is an acceptable edge value:
// 16 to 1024 printable ASCII characters, spaces allowed inside ("Bearer
// …") but not at either end, since HTTP would drop them.
func CheckEdgeValue(v string) *codes.Problem {
	bad := func(code codes.Code, reason string) *codes.Problem {
		p := codes.NewProblem(code, "edge_auth.value", reason)
		return &p
	}
	if v == "" {
		return bad(codes.EdgeValueMissing, "no edge authentication value was given")
	}
	if len(v) < MinEdgeValueLen || len(v) > MaxEdgeValueLen {
		return bad(codes.EdgeValueInvalid, fmt.Sprintf("the edge authentication value is %d characters; it must be %d to %d", len(v), MinEdgeValueLen, MaxEdgeValueLen))
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' || c > '~' || c == ' ' && (i == 0 || i == len(v)-1) {
			return bad(codes.EdgeValueInvalid, fmt.Sprintf("the edge authentication value has a control, non-ASCII or edge space character at position %d", i+1))
		}
	}
	return nil
}

// CheckEdge checks a header name and value given together: both, or
// neither (no edge authentication).
func CheckEdge(header, value string) []codes.Problem {
	var ps []codes.Problem
	switch {
	case header == "" && value == "":
		return nil
	case header == "":
		return []codes.Problem{codes.NewProblem(codes.EdgeValueMissing, "edge_auth.header", "an edge authentication value was given without a header name")}
	}
	if p := CheckEdgeHeader(header); p != nil {
		ps = append(ps, *p)
	}
	if p := CheckEdgeValue(value); p != nil {
		ps = append(ps, *p)
	}
	return ps
}

// EdgeSummary is how show and status describe t's edge authentication,
// never with the value.
func EdgeSummary(e *EdgeAuth) string {
	if e == nil {
		return "none"
	}
	if e.CreatedAt.IsZero() {
		return fmt.Sprintf("%s, value %s", e.Header, e.Fingerprint)
	}
	return fmt.Sprintf("%s, value %s set %s", e.Header, e.Fingerprint, e.CreatedAt.UTC().Format("2006-01-02"))
}
