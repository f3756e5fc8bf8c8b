package codes

import (
	"errors"
	"fmt"
	"strings"
)

// Problem is one thing that blocks a target or a request, with the field it
// concerns and the catalog fix (or a more exact one).
type Problem struct {
	Code   Code   `json:"code"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
	Fix    string `json:"fix"`
}

// NewProblem builds a problem whose fix comes from the catalog.
func NewProblem(code Code, field, reason string) Problem {
	return Problem{Code: code, Field: field, Reason: reason, Fix: code.Fix()}
}

// ProblemOf turns an error into the problem it reports: its code, reason
// and fix (AsError's, so an error without a code is an internal one). The
// field is left empty for the caller to name.
func ProblemOf(err error) Problem {
	e := AsError(err)
	return Problem{Code: e.Code, Reason: e.Reason, Fix: e.Fix}
}

// Error is the error every layer returns for a refusal a user can act on.
// Problems holds the full list when more than one thing is wrong.
type Error struct {
	Code     Code
	Reason   string
	Fix      string
	Problems []Problem
	Err      error // underlying cause, never shown when it could hold a secret
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s", e.Code, e.Reason)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an Error with the catalog fix.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Reason: fmt.Sprintf(format, args...), Fix: code.Fix()}
}

// WithFix replaces the catalog fix with a more exact one.
func (e *Error) WithFix(fix string) *Error { e.Fix = fix; return e }

// Wrap keeps err as the cause of e.
func (e *Error) Wrap(err error) *Error { e.Err = err; return e }

// ProblemsError turns a non-empty list of problems into one Error whose code
// is the first problem's and whose reason lists all of them.
func ProblemsError(ps []Problem) error {
	if len(ps) == 0 {
		return nil
	}
	if len(ps) == 1 {
		return &Error{Code: ps[0].Code, Reason: ps[0].Reason, Fix: ps[0].Fix, Problems: ps}
	}
	reasons := make([]string, len(ps))
	for i, p := range ps {
		reasons[i] = p.Reason
	}
	return &Error{Code: ps[0].Code, Reason: fmt.Sprintf("%d problems: %s", len(ps), strings.Join(reasons, "; ")),
		Fix: ps[0].Fix, Problems: ps}
}

// AsError finds the *Error in err's chain, or wraps err as an internal error.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Reason: err.Error(), Fix: Internal.Fix(), Err: err}
}

// ExitCode maps any error to the process exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	return Info(AsError(err).Code).Exit
}

// HasField reports whether any problem concerns field.
func HasField(ps []Problem, field string) bool {
	for _, p := range ps {
		if p.Field == field {
			return true
		}
	}
	return false
}
