package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"sort"
	"strings"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/sanitize"
	"github.com/webriskops/webhook-setup/core/signing"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// capturedRequest is one signed request written down: the form of
// test-send --out, which verify reads back. Body is the exact body as a
// JSON string (it is UTF-8 JSON, so the string round-trips byte for byte).
// It holds the signature, never the secret; URL is the full URL, which is
// why --out files are 0600.
type capturedRequest struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
	// edgeHeader names the header whose value was redacted; never written.
	edgeHeader string
}

// headerOrder is the order a delivery's headers are shown in: the spec's
// table (docs/signing.md), then anything else by name.
var headerOrder = signing.DeliveryHeaders()

// capture writes down req, whose body is body.
func capture(req *http.Request, body []byte) capturedRequest {
	c := capturedRequest{Method: req.Method, URL: req.URL.String(), Headers: map[string]string{}, Body: string(body)}
	for name, vs := range req.Header {
		c.Headers[name] = strings.Join(vs, ", ")
	}
	return c
}

// redactEdge replaces the value of the edge header name with
// edgeRedacted: the value is a credential and never leaves the store in
// clear, not even into a 0600 --out file.
func (c *capturedRequest) redactEdge(header string) {
	for name := range c.Headers {
		if strings.EqualFold(name, header) {
			c.Headers[name] = edgeRedacted
			c.edgeHeader = name
		}
	}
}

// names returns the header names in display order.
func (c capturedRequest) names() []string {
	out := make([]string, 0, len(c.Headers))
	seen := map[string]bool{}
	for _, n := range headerOrder {
		for have := range c.Headers {
			if strings.EqualFold(have, n) && !seen[have] {
				out, seen[have] = append(out, have), true
			}
		}
	}
	var rest []string
	for have := range c.Headers {
		if !seen[have] {
			rest = append(rest, have)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// header returns the request's headers as an http.Header.
func (c capturedRequest) header() http.Header {
	h := http.Header{}
	for n, v := range c.Headers {
		h[n] = []string{v}
	}
	return h
}

// shownURL is the URL redacted unless reveal.
func (c capturedRequest) shownURL(reveal bool) string {
	if reveal {
		return c.URL
	}
	return urlsafe.Redact(c.URL)
}

// writeText prints the request as it goes on the wire: request line,
// headers, a blank line and the body. Every value is neutralised.
func (c capturedRequest) writeText(w io.Writer, reveal bool) {
	fmt.Fprintf(w, "%s %s\n", c.Method, sanitize.Line(c.shownURL(reveal)))
	for _, n := range c.names() {
		fmt.Fprintf(w, "%s: %s\n", sanitize.Line(n), sanitize.Line(c.Headers[n]))
	}
	fmt.Fprintf(w, "\n%s\n", sanitize.Line(c.Body))
}

// curl returns an equivalent curl command line. Every argument is single
// quoted for POSIX shells; caFile, when set, is passed as --cacert. Values
// are neutralised like all output; test bodies are plain ASCII, so this
// changes nothing that is sent.
func (c capturedRequest) curl(reveal bool, caFile string) string {
	var b strings.Builder
	b.WriteString("curl --proto '=https' --tlsv1.2 --silent --show-error --max-redirs 0 -X " + c.Method + " \\\n")
	if caFile != "" {
		b.WriteString("  --cacert " + shellQuote(sanitize.Line(caFile)) + " \\\n")
	}
	for _, n := range c.names() {
		b.WriteString("  -H " + shellQuote(sanitize.Line(n+": "+c.Headers[n])) + " \\\n")
	}
	b.WriteString("  --data-binary " + shellQuote(sanitize.Line(c.Body)) + " \\\n")
	b.WriteString("  " + shellQuote(sanitize.Line(c.shownURL(reveal))) + "\n")
	return b.String()
}

// shellQuote single-quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeCaptured writes c to a new file at path as indented JSON, mode 0600:
// the file holds the full URL, a credential. An existing file is never
// overwritten (nor followed, if it is a link): a mistyped --out must not
// replace another file.
func writeCaptured(path string, c capturedRequest) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return codes.Errorf(codes.Usage, "--out %s exists already", path).
			WithFix("Name a new file, or remove the old one first; an existing file is never overwritten.")
	}
	if err != nil {
		return codes.Errorf(codes.Usage, "--out %s: %v", path, unwrapPathError(err))
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return codes.Errorf(codes.Internal, "--out %s: %v", path, err)
	}
	err = writeJSON(f, c)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return codes.Errorf(codes.Internal, "--out %s: %v", path, err)
	}
	return nil
}

// maxCapturedFile bounds a --request file: a body of up to 1 MiB, escaped
// in JSON, and its headers.
const maxCapturedFile = 8 << 20

// readCaptured reads a request in the --out form.
func readCaptured(path string) (capturedRequest, error) {
	var c capturedRequest
	b, err := readFileMax(path, maxCapturedFile)
	if err != nil {
		return c, codes.Errorf(codes.Usage, "--request %s: %v", path, unwrapPathError(err))
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, codes.Errorf(codes.Usage, "--request %s is not a request written by test-send --out: %v", path, err)
	}
	if c.Headers == nil {
		return c, codes.Errorf(codes.Usage, "--request %s has no headers", path)
	}
	return c, nil
}
