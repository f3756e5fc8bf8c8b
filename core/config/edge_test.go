package config

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
)

const (
	edgeOne = "edge-value-one-0123456789abcdef"
	edgeTwo = "edge-value-two-0123456789abcdef"
)

// storedEdge is stored() with the profile and an edge header whose value
// is edgeOne.
func storedEdge(name string) core.Target {
	t := stored(name, "https://hook.eu1.make.com/"+name, secretA)
	t.StandardWebhooks = true
	t.EdgeAuth = &core.EdgeAuth{Header: "x-make-apikey", Fingerprint: signing.Fingerprint(edgeOne), CreatedAt: time.Unix(1, 0)}
	return t
}

const edgeTable = "standard_webhooks = true\n[target.edge_auth]\nheader = \"x-make-apikey\"\nvalue_file = \"a.edge\""

// TestPlanEdge: a new target with [target.edge_auth] carries its value; the
// same value again is unchanged (compared by fingerprint); a new value is an
// update of edge_auth.value; no source keeps the stored value; a file
// without the table removes the header; a new target without a source, a
// short value and a reserved header are problems on their lines.
func TestPlanEdge(t *testing.T) {
	ctx := context.Background()
	in := Input{Defaults: defaults, Secrets: map[string]Secret{"a": {Value: secretA}}, EdgeValues: map[string]Secret{"a": {Value: edgeOne}},
		Specs: mustSpecs(t, entry("a", "https://hook.eu1.make.com/a", edgeTable, "[target.signing]", `secret_file = "a.secret"`))}
	p := MakePlan(ctx, in, testResolver)
	if actions(p) != "create a" || len(p.Problems) > 0 || p.Changes[0].EdgeValue != edgeOne ||
		!p.Changes[0].Target.StandardWebhooks || p.Changes[0].Target.EdgeAuth.Header != "x-make-apikey" {
		t.Fatalf("create: %s %+v %+v", actions(p), p.Problems, p.Changes)
	}
	in.Current = []core.Target{storedEdge("a")}
	if p := MakePlan(ctx, in, nil); actions(p) != "unchanged a" || len(p.Problems) > 0 {
		t.Fatalf("same value: %s %+v", actions(p), p.Problems)
	}
	in.EdgeValues["a"] = Secret{Value: edgeTwo}
	if p := MakePlan(ctx, in, nil); actions(p) != "update a (edge_auth.value)" || p.Changes[0].EdgeValue != edgeTwo {
		t.Fatalf("new value: %s %+v", actions(p), p.Problems)
	}
	noSource := entry("a", "https://hook.eu1.make.com/a", "standard_webhooks = true\n[target.edge_auth]\nheader = \"x-make-apikey\"")
	in.Specs, in.EdgeValues = mustSpecs(t, noSource), nil
	if p := MakePlan(ctx, in, nil); actions(p) != "unchanged a" || len(p.Problems) > 0 {
		t.Fatalf("no source: %s %+v", actions(p), p.Problems)
	}
	in.Specs = mustSpecs(t, entry("a", "https://hook.eu1.make.com/a"))
	if p := MakePlan(ctx, in, nil); actions(p) != "update a (standard_webhooks, edge_auth.header)" || p.Changes[0].Target.EdgeAuth != nil {
		t.Fatalf("table removed: %s %+v", actions(p), p.Problems)
	}

	in.Current = nil
	in.Specs = mustSpecs(t, noSource)
	p = MakePlan(ctx, in, testResolver)
	if len(p.Problems) != 1 || p.Problems[0].Code != codes.EdgeValueMissing || p.Problems[0].Line != 9 {
		t.Fatalf("new without source: %+v", p.Problems)
	}
	in.Specs = mustSpecs(t, entry("a", "https://hook.eu1.make.com/a", strings.Replace(edgeTable, "x-make-apikey", "X-WebRiskOps-Nonce", 1)))
	in.EdgeValues = map[string]Secret{"a": {Value: "short"}}
	p = MakePlan(ctx, in, testResolver)
	var got []string
	for _, pr := range p.Problems {
		got = append(got, string(pr.Code)+"@"+pr.Field)
	}
	if strings.Join(got, " ") != "generic_webhook_edge_header_invalid@edge_auth.header generic_webhook_edge_value_invalid@edge_auth.value_file" {
		t.Fatalf("problems: %v", got)
	}
}

// TestParseEdgeRefusesLiteralValue: a value in the file is refused like a
// literal secret, and the table's other mistakes are named.
func TestParseEdgeRefusesLiteralValue(t *testing.T) {
	src := entry("a", "https://hook.eu1.make.com/a", "standard_webhooks = \"yes\"\n[target.edge_auth]\nheader = \"x-make-apikey\"\nvalue = \""+edgeOne+"\"\nvalue_file = \"f\"\nvalue_env = \"E\"")
	_, err := ParseTargets([]byte(src), "t.toml")
	e := codesError(t, err)
	if !hasProblem(e, codes.ConfigInvalid, "literal edge value") || !hasProblem(e, codes.ConfigInvalid, "one way") ||
		!hasProblem(e, codes.ConfigInvalid, "standard_webhooks must be true or false") || strings.Contains(reasons(e), edgeOne) {
		t.Fatalf("%s", reasons(e))
	}
}

// TestExportEdgeRoundTrip: export writes standard_webhooks and the edge
// header with a value_file placeholder and the fingerprint, never the
// value; applying it back with the value there changes nothing.
func TestExportEdgeRoundTrip(t *testing.T) {
	targets := []core.Target{storedEdge("a"), stored("b", "https://receiver.example.com/b", secretB)}
	out := Export(targets, ExportOptions{RevealURL: true})
	if strings.Contains(string(out), edgeOne) || !strings.Contains(string(out), signing.Fingerprint(edgeOne)) {
		t.Fatalf("export:\n%s", out)
	}
	specs := mustSpecs(t, string(out))
	if len(specs) != 2 {
		t.Fatalf("the export reads back as %d targets, want 2:\n%s", len(specs), out)
	}
	if specs[0].EdgeValueFile != EdgePlaceholder("a") || specs[1].EdgeValueFile != "" {
		t.Fatalf("value_file %q / %q", specs[0].EdgeValueFile, specs[1].EdgeValueFile)
	}
	p := MakePlan(context.Background(), Input{Current: targets, Specs: specs, Defaults: defaults,
		Secrets:    map[string]Secret{"a": {Value: secretA}, "b": {Value: secretB}},
		EdgeValues: map[string]Secret{"a": {Value: edgeOne}}}, nil)
	if p.Writes() || len(p.Problems) > 0 {
		t.Fatalf("round trip: %s %+v\n%s", actions(p), p.Problems, out)
	}
}
