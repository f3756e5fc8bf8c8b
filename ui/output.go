package ui

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

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
	fmt.Fprintf(w, "error: %s: %s\n", code, sanitize.Line(reason))
	if fix != "" {
		fmt.Fprintf(w, "fix: %s\n", sanitize.Line(fix))
	}
}

func wantsJSON(cmd *cobra.Command) bool {
	if cmd == nil {
		return false
	}
	f := cmd.Flags().Lookup("json")
	return f != nil && f.Value.String() == "true"
}

// writeJSON prints v as indented JSON with a trailing newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// table writes aligned columns; every cell is sanitised because names, URLs
// and owner text come from outside.
type table struct {
	tw *tabwriter.Writer
}

func newTable(w io.Writer, headers ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	fmt.Fprintln(t.tw, strings.Join(headers, "\t"))
	return t
}

func (t *table) row(cells ...string) {
	for i, c := range cells {
		cells[i] = textCell(c)
	}
	fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
}

func (t *table) flush() { t.tw.Flush() }

// field prints "label: value" with the value sanitised.
func field(w io.Writer, label, value string) {
	fmt.Fprintf(w, "%-18s %s\n", label+":", sanitize.Line(value))
}
