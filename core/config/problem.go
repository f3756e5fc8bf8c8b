// Package config reads webhook-setup's TOML files: the settings file
// (config.toml) and declarative target files (apply -f), and plans what
// applying a target file changes. It is pure: callers read files, secrets
// and the store, and pass what they read in, so every rule here can be
// tested and fuzzed without a disk, a network or a database.
//
// Every problem names the file and the line it concerns, because a person
// fixes a file by line, and carries a code from core/codes: ConfigInvalid
// for what is wrong with the file itself (syntax, unknown key, wrong type,
// invalid value, duplicate name, literal secret), and the same domain codes
// as `add` for a target that may not be saved.
package config

import (
	"fmt"
	"sort"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

// MaxFileSize bounds the files this package reads, so a wrong path (a log,
// a disk image) fails fast instead of filling memory.
const MaxFileSize = 4 << 20

// Problem is one problem in a file, with the line it is on.
type Problem struct {
	File string
	Line int // 0 when no line applies (the file as a whole)
	// Target names the [[target]] the problem is in, when it is in one.
	Target string
	// Tally, when above 0, makes this entry a count of problems that were
	// found but not kept (see keep), not a problem of its own.
	Tally int
	codes.Problem
}

// At is "file:line" (or just "file"), the prefix of every reason.
func (p Problem) At() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return p.File
}

// CodesProblem returns p as a codes.Problem whose reason starts with the
// file and line, and names the target.
func (p Problem) CodesProblem() codes.Problem {
	out := p.Problem
	where := p.At() + ": "
	if p.Target != "" {
		where += fmt.Sprintf("target %s: ", core.Clip(p.Target))
	}
	out.Reason = where + p.Reason
	return out
}

func newProblem(file string, line int, code codes.Code, field, format string, args ...any) Problem {
	return Problem{File: file, Line: line, Problem: codes.NewProblem(code, field, fmt.Sprintf(format, args...))}
}

// MaxProblemsShown is how many problems of one file an error lists; the
// rest are counted in a last "and N more" problem, so a file of 200,000
// unknown keys makes a short error, not megabytes of them.
const MaxProblemsShown = 20

// maxProblemsKept bounds the problems kept while one file is read: past
// it they are only counted (keep), so a file of 200,000 bad keys costs a
// count, not 200,000 problems in memory.
const maxProblemsKept = 200

// keep appends the problems add to ps while ps holds fewer than
// maxProblemsKept; the rest are counted in a tally entry at the end.
func keep(ps []Problem, add ...Problem) []Problem {
	for _, p := range add {
		n := len(ps)
		switch {
		case p.Tally > 0 && n > 0 && ps[n-1].Tally > 0:
			ps[n-1].Tally += p.Tally
		case p.Tally > 0 || n < maxProblemsKept:
			ps = append(ps, p)
		case ps[n-1].Tally > 0:
			ps[n-1].Tally++
		default:
			ps = append(ps, Problem{File: p.File, Tally: 1})
		}
	}
	return ps
}

// Error turns problems into one *codes.Error, in line order, whose code is
// the first problem's; nil when there are none. At most MaxProblemsShown
// are listed, then one problem saying how many more there are (those
// kept and those only counted).
func Error(ps []Problem) error {
	if len(ps) == 0 {
		return nil
	}
	sorted := make([]Problem, 0, len(ps))
	counted := 0
	for _, p := range ps {
		if p.Tally > 0 {
			counted += p.Tally
			continue
		}
		sorted = append(sorted, p)
	}
	sortProblems(sorted)
	shown := sorted[:min(len(sorted), MaxProblemsShown)]
	out := make([]codes.Problem, len(shown), len(shown)+1)
	for i, p := range shown {
		out[i] = p.CodesProblem()
	}
	if more := len(sorted) - len(shown) + counted; more > 0 && len(shown) > 0 {
		last := shown[len(shown)-1]
		out = append(out, codes.Problem{Code: codes.ConfigInvalid, Field: "",
			Reason: fmt.Sprintf("%s: and %d more problems, not listed", last.File, more),
			Fix:    "Fix the problems above and run again to see the rest."})
	}
	return codes.ProblemsError(out)
}

// sortProblems orders problems by line, keeping the order of one line's.
func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Line < ps[j].Line })
}
