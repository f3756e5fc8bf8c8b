package codes

import (
	"errors"
	"fmt"
	"testing"
)

func TestProblemOf(t *testing.T) {
	refusal := Errorf(NameTaken, "a target named %q exists", "crm").WithFix("Choose another name.")
	cases := []struct {
		name string
		err  error
		want Problem
	}{
		{"a coded error keeps its code, reason and own fix", refusal,
			Problem{Code: NameTaken, Reason: `a target named "crm" exists`, Fix: "Choose another name."}},
		{"a wrapped coded error is found in the chain", fmt.Errorf("saving: %w", refusal),
			Problem{Code: NameTaken, Reason: `a target named "crm" exists`, Fix: "Choose another name."}},
		{"an error without a code is internal, with the catalog fix", errors.New("disk on fire"),
			Problem{Code: Internal, Reason: "disk on fire", Fix: Internal.Fix()}},
		{"the first of several problems", ProblemsError([]Problem{NewProblem(OwnerMissing, "receiver_owner", "no owner"), NewProblem(RevokePathMissing, "revoke_path", "no path")}),
			Problem{Code: OwnerMissing, Reason: "2 problems: no owner; no path", Fix: OwnerMissing.Fix()}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ProblemOf(c.err); got != c.want {
				t.Fatalf("ProblemOf = %+v, want %+v", got, c.want)
			}
		})
	}
}
