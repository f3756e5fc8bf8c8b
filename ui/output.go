package ui

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/sanitize"
)

// jsonError is the --json form of an error on stdout.
type jsonError struct {
	Error struct {
		Code     codes.Code      `json:"code"`
		Reason   string          `json:"reason"`
		Fix      string          `json:"fix"`
		Problems []codes.Problem `json:"problems,omitempty"`
	} `json:"error"`
}

// printError writes err once: as JSON on stdout when the command was asked
// for --json, otherwise as "error: CODE: reason" and "fix: ..." lines on
// stderr, one pair per problem.
func printError(app *App, asJSON bool, err error) {
	e := codes.AsError(err)
	if asJSON {
		var out jsonError
		out.Error.Code, out.Error.Reason, out.Error.Fix, out.Error.Problems = e.Code, e.Reason, e.Fix, e.Problems
		_ = writeJSON(app.Out, out)
		return
	}
	if len(e.Problems) > 1 {
		for _, p := range e.Problems {
			writeErrorLines(app.Err, p.Code, p.Reason, p.Fix)
		}
		return
	}
	writeErrorLines(app.Err, e.Code, e.Reason, e.Fix)
}

func writeErrorLines(w io.Writer, code codes.Code, reason, fix string) {
	fmt.Fprintln(w, wrapped("error: "+string(code)+": ", sanitize.Line(reason), 2))
	if fix != "" {
		fmt.Fprintln(w, wrapped("fix: ", sanitize.Line(fix), 2))
	}
}

// lineWidth is the terminal width human output is written for: an
// operator's SSH session is often 80 columns.
const lineWidth = 80

// wrapped is prefix and s broken at spaces so that lines stay within
// lineWidth where the words allow (a long URL stays whole), each line after
// the first indented by indent spaces.
func wrapped(prefix, s string, indent int) string {
	var b strings.Builder
	b.WriteString(prefix)
	col := utf8.RuneCountInString(prefix)
	for i, word := range strings.Fields(s) {
		n := utf8.RuneCountInString(word)
		switch {
		case i == 0:
		case col+1+n > lineWidth && col > indent:
			b.WriteString("\n" + strings.Repeat(" ", indent))
			col = indent
		default:
			b.WriteByte(' ')
			col++
		}
		b.WriteString(word)
		col += n
	}
	return b.String()
}

func wantsJSON(cmd *cobra.Command) bool {
	if cmd == nil {
		return false
	}
	f := cmd.Flags().Lookup("json")
	return f != nil && f.Value.String() == "true"
}

// writeJSON prints v as indented JSON with a trailing newline, with
// controls, bidi and zero-width characters escaped (escapeInvisible).
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(escapeInvisible(buf.Bytes()))
	return err
}

// writeJSONArray prints items as writeJSON would, byte for byte, one
// element at a time: a list of 10,000 targets is 5 MB of indented JSON,
// and encoding it whole grew one buffer to that size by doubling and then
// indented it in a second pass (a third of `status --json`'s time,
// docs/performance.md).
func writeJSONArray[T any](w io.Writer, items []T) error {
	if len(items) == 0 {
		return writeJSON(w, items) // "null" or "[]", as writeJSON says it
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	a := newJSONArray(bw, "")
	for i := range items {
		if err := a.add(items[i]); err != nil {
			return err
		}
	}
	a.end()
	bw.WriteByte('\n')
	return bw.Flush()
}

// jsonArray writes a JSON array to w one element at a time, indented as
// writeJSON indents it at the depth whose lines start with indent, with
// the same escaping: a long list is never held whole. newJSONArray writes
// the '[', end the ']'.
type jsonArray struct {
	w      *bufio.Writer
	indent string
	buf    bytes.Buffer
	enc    *json.Encoder
	n      int
}

func newJSONArray(w *bufio.Writer, indent string) *jsonArray {
	a := &jsonArray{w: w, indent: indent}
	a.enc = json.NewEncoder(&a.buf)
	a.enc.SetIndent(indent+"  ", "  ") // an element's lines, inside the array's
	a.enc.SetEscapeHTML(false)
	w.WriteByte('[')
	return a
}

// add writes one element.
func (a *jsonArray) add(v any) error {
	a.buf.Reset()
	if err := a.enc.Encode(v); err != nil {
		return err
	}
	if a.n > 0 {
		a.w.WriteByte(',')
	}
	a.n++
	a.w.WriteString("\n" + a.indent + "  ")
	_, err := a.w.Write(escapeInvisible(bytes.TrimSuffix(a.buf.Bytes(), []byte("\n"))))
	return err
}

// end closes the array: "]" when it is empty, else on a line of its own.
func (a *jsonArray) end() {
	if a.n > 0 {
		a.w.WriteString("\n" + a.indent)
	}
	a.w.WriteByte(']')
}

// rows writes the human tables: fixed-width columns, the last one unpadded,
// and optional detail lines indented under a row. Long or variable values
// (endpoints, keys, codes) go last or on a detail line, so a table stays
// inside an 80-column SSH terminal. Every cell is sanitised because names,
// URLs and owner text come from outside.
type rows struct {
	w      io.Writer
	widths []int
}

// newRows prints the header line; widths holds the width of every column
// but the last.
func newRows(w io.Writer, widths []int, headers ...string) *rows {
	r := &rows{w: w, widths: widths}
	r.line(headers)
	return r
}

// row prints one line of cells.
func (r *rows) row(cells ...string) {
	for i, c := range cells {
		cells[i] = textCell(c)
	}
	r.line(cells)
}

func (r *rows) line(cells []string) {
	var b strings.Builder
	for i, c := range cells {
		if i < len(r.widths) && i < len(cells)-1 {
			fmt.Fprintf(&b, "%-*s  ", r.widths[i], c) // fmt pads by runes
			continue
		}
		b.WriteString(c)
	}
	fmt.Fprintln(r.w, strings.TrimRight(b.String(), " "))
}

// detail prints label and value indented under the last row.
func (r *rows) detail(label, value string) {
	fmt.Fprintf(r.w, "    %s %s\n", label, sanitize.Truncate(sanitize.Line(value), 74-len(label)))
}

// nameWidth is the width of a name column: its longest name, at least the
// header's.
func nameWidth(names []string) int {
	n := len("NAME")
	for _, s := range names {
		n = max(n, len([]rune(textCell(s))))
	}
	return n
}

// textCell is a value from outside made safe for one line of a terminal.
func textCell(s string) string { return sanitize.Truncate(sanitize.Line(s), 60) }

// field prints "label: value" with the value sanitised, wrapped under
// itself.
func field(w io.Writer, label, value string) {
	fmt.Fprintln(w, wrapped(fmt.Sprintf("%-18s ", label+":"), sanitize.Line(value), 19))
}
