package payload

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/webriskops/webhook-setup/core/codes"
)

// ParseTickets reads tickets from r and calls fn with each, in order. The
// input is one ticket object, a JSON array of ticket objects, or NDJSON (ticket
// objects one after another, one per line by convention); a leading UTF-8
// byte order mark is skipped. It streams: only the ticket being read is held
// in memory, so inputs of any number of tickets fit; one ticket's JSON may
// not exceed MaxTicketBytes. Every ticket is
// validated against the ticket schema before fn sees it — unknown fields,
// missing required fields and invalid values are refused — and refusals are
// PayloadInvalid errors naming the 1-based ticket index and the JSON pointer.
// Input without any ticket is refused too. An error from fn stops the read
// and is returned unchanged.
func ParseTickets(r io.Reader, fn func(Ticket) error) error {
	return parseTickets(r, inOrder(fn))
}

// parseTickets is ParseTickets handing each ticket's JSON text to c, which
// checks it and passes it on; c.finish has the last word on the error.
func parseTickets(r io.Reader, c checker) error {
	return c.finish(readTickets(r, c))
}

func readTickets(r io.Reader, c checker) error {
	br := bufio.NewReaderSize(r, 64<<10)
	first, err := firstByte(br)
	if err == io.EOF {
		return codes.Errorf(codes.PayloadInvalid, "no ticket found: the input is empty")
	}
	if err != nil {
		return codes.Errorf(codes.PayloadInvalid, "cannot read the tickets: %v", err).Wrap(err)
	}
	cr := &capReader{r: br}
	dec := json.NewDecoder(cr)
	switch first {
	case '[':
		return parseArray(dec, cr, c)
	case '{':
		return parseStream(dec, cr, c)
	default:
		return codes.Errorf(codes.PayloadInvalid,
			"the input starts with %q: want a ticket object, a JSON array of tickets or NDJSON", rune(first))
	}
}

// firstByte skips a byte order mark and JSON white space and peeks at the
// first byte of the input without consuming it.
func firstByte(br *bufio.Reader) (byte, error) {
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	for {
		c, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c, br.UnreadByte()
	}
}

func parseArray(dec *json.Decoder, cr *capReader, c checker) error {
	if _, err := dec.Token(); err != nil { // '['
		return syntaxError(dec, "the array", err)
	}
	n := 0
	for dec.More() {
		n++
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return syntaxError(dec, fmt.Sprintf("ticket %d", n), err)
		}
		cr.reset(dec.InputOffset())
		if err := c.add(n, raw); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // ']'
		return syntaxError(dec, fmt.Sprintf("the array after ticket %d", n), err)
	}
	if n == 0 {
		return codes.Errorf(codes.PayloadInvalid, "no ticket found: the array is empty")
	}
	if _, err := dec.Token(); err != io.EOF {
		return codes.Errorf(codes.PayloadInvalid, "unexpected data after the array of %d tickets at byte %d", n, dec.InputOffset())
	}
	return nil
}

func parseStream(dec *json.Decoder, cr *capReader, c checker) error {
	n := 0
	for {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if err == io.EOF {
			break
		}
		n++
		if err != nil {
			return syntaxError(dec, fmt.Sprintf("ticket %d", n), err)
		}
		cr.reset(dec.InputOffset())
		if err := c.add(n, raw); err != nil {
			return err
		}
	}
	return nil
}

// checkTicket validates ticket n, the JSON text raw.
func checkTicket(n int, raw json.RawMessage) (Ticket, error) {
	what := fmt.Sprintf("ticket %d", n)
	if !utf8.Valid(raw) {
		return Ticket{}, codes.Errorf(codes.PayloadInvalid, "%s is not valid UTF-8", what)
	}
	v, err := decodeJSON(raw)
	if err != nil {
		return Ticket{}, codes.Errorf(codes.PayloadInvalid, "%s is not valid JSON: %v", what, err).Wrap(err)
	}
	if err := validateValue(ticketSchema, v, what); err != nil {
		return Ticket{}, err
	}
	t := ticketOf(v.(map[string]any))
	t.checked = true
	return t, nil
}

// ticketOf copies a ticket the schema has validated out of its decoded
// form; the schema guarantees every type assertion.
func ticketOf(m map[string]any) Ticket {
	str := func(k string) string { s, _ := m[k].(string); return s }
	t := Ticket{
		Title:       str("title"),
		Description: str("description"),
		Severity:    str("severity"),
		Kind:        str("kind"),
		FindingID:   str("finding_id"),
		ReportURL:   str("report_url"),
		DueDate:     str("due_date"),
	}
	if labels, ok := m["labels"].([]any); ok && len(labels) > 0 {
		t.Labels = make([]string, len(labels))
		for i, l := range labels {
			t.Labels[i], _ = l.(string)
		}
	}
	return t
}

// syntaxError reports malformed JSON with its byte offset.
func syntaxError(dec *json.Decoder, what string, err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return codes.Errorf(codes.PayloadInvalid, "%s is not valid JSON at byte %d: %v", what, se.Offset, err).Wrap(err)
	case errors.Is(err, errTooLarge):
		return codes.Errorf(codes.PayloadInvalid, "%s is larger than %d MiB; a valid ticket is far smaller", what, MaxTicketBytes>>20).Wrap(err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return codes.Errorf(codes.PayloadInvalid, "%s: the input ends in the middle of a JSON value", what).Wrap(err)
	}
	return codes.Errorf(codes.PayloadInvalid, "%s is not valid JSON at byte %d: %v", what, dec.InputOffset(), err).Wrap(err)
}

// MaxTicketBytes caps the JSON text of one input ticket. The largest valid
// ticket, every character \u-escaped, is well under 1 MiB; the cap keeps a
// runaway value from growing the decoder's buffer without bound.
const MaxTicketBytes = 4 << 20

var errTooLarge = errors.New("ticket too large")

// capReader fails once the ticket being decoded has more than
// MaxTicketBytes. n counts the bytes read past the end of the last ticket,
// including what the decoder had already buffered of the next one.
type capReader struct {
	r     io.Reader
	n     int
	total int64
}

// reset starts counting a new ticket at the decoder's input offset.
func (c *capReader) reset(offset int64) { c.n = int(c.total - offset) }

func (c *capReader) Read(p []byte) (int, error) {
	if c.n >= MaxTicketBytes {
		return 0, errTooLarge
	}
	if len(p) > MaxTicketBytes-c.n {
		p = p[:MaxTicketBytes-c.n]
	}
	n, err := c.r.Read(p)
	c.n += n
	c.total += int64(n)
	return n, err
}
