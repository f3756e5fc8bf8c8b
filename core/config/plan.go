package config

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// Action is what applying a target file does to one target.
type Action string

// The actions of a plan.
const (
	Create    Action = "create"
	Update    Action = "update"
	Unchanged Action = "unchanged"
	Delete    Action = "delete"
)

// Change is the plan for one target.
type Change struct {
	Action Action
	Name   string
	// Changed names the keys an update changes, as the file writes them
	// ("webhook_url", "private_network.allowlist"), and "signing" for a new
	// secret.
	Changed []string
	// Target is what to save (for an update it carries the stored ID,
	// Version and CreatedAt, so a concurrent change is detected); for a
	// delete it is the stored target.
	Target core.Target
	// Secret is the new signing secret of a create, or of an update that
	// changes "signing"; empty otherwise. It is never printed.
	Secret string
	// Grace is how long the previous secret stays valid after an update
	// that changes "signing".
	Grace time.Duration
	// EdgeValue is the edge value of a create with [target.edge_auth], or
	// of an update that changes "edge_auth.value"; never printed.
	EdgeValue string
	// Warnings are the endpoint check's hints (never refusals).
	Warnings []string
	// Host and Addresses are the DNS answers the endpoint check judged,
	// recorded on apply for doctor's drift check; empty when the endpoint
	// was not checked (unchanged).
	Host      string
	Addresses []string
}

// Plan is the outcome of comparing a target file with the store. It may be
// carried out only when Problems is empty.
type Plan struct {
	Changes  []Change
	Problems []Problem
}

// Count returns how many changes have action a.
func (p Plan) Count(a Action) int {
	n := 0
	for _, c := range p.Changes {
		if c.Action == a {
			n++
		}
	}
	return n
}

// Writes reports whether carrying out the plan writes anything.
func (p Plan) Writes() bool {
	return len(p.Changes) > p.Count(Unchanged)
}

// Secret is what the caller read from a target's secret_file or
// secret_env: the secret, or the problem that kept it from being read.
type Secret struct {
	Value   string
	Problem *codes.Problem
}

// Defaults are the configured defaults for keys a target leaves out, the
// same ones `add` uses.
type Defaults struct {
	Mode   core.Mode
	Policy core.NetworkPolicy
}

// Input is everything the planner compares.
type Input struct {
	// Current is every stored target, with its signing summary.
	Current []core.Target
	// Specs are the file's targets, from ParseTargets.
	Specs []TargetSpec
	// Secrets holds, by target name, the secret of every spec that names
	// a source; specs that name none keep their stored secret.
	Secrets map[string]Secret
	// URLs holds, by target name, the webhook URL of every spec that names
	// a webhook_url_file or webhook_url_env.
	URLs map[string]SourcedURL
	// EdgeValues holds, by target name, the edge value of every spec whose
	// [target.edge_auth] names a source.
	EdgeValues map[string]Secret
	Defaults   Defaults
	// Prune plans a delete for every stored target the file leaves out.
	Prune bool
}

// MakePlan compares the file with the store and returns what applying it
// does: create, update (with the changed keys), unchanged or delete for
// each target, and every problem that keeps it from being applied. New and
// changed targets are checked as `add` checks them, by core.Assess, with
// the endpoint check (DNS through r) for a new or changed endpoint only. A
// secret is compared by fingerprint, so no stored secret is needed.
//
// MakePlan writes nothing and changes none of its inputs; its only outside
// effect is DNS lookups through r (a nil r fails every lookup, so URL
// checks fail closed).
func MakePlan(ctx context.Context, in Input, r urlsafe.Resolver) Plan {
	if r == nil {
		r = noResolver{}
	}
	current := make(map[string]core.Target, len(in.Current))
	for _, t := range in.Current {
		current[t.Name] = t
	}
	var plan Plan
	named := map[string]bool{}
	for _, spec := range in.Specs {
		named[spec.Target.Name] = true
		c, ps := planTarget(ctx, spec, current, in, r)
		plan.Changes = append(plan.Changes, c)
		plan.Problems = append(plan.Problems, ps...)
	}
	if in.Prune {
		var gone []core.Target
		for _, t := range in.Current {
			if !named[t.Name] {
				gone = append(gone, t)
			}
		}
		sort.Slice(gone, func(i, j int) bool { return gone[i].Name < gone[j].Name })
		for _, t := range gone {
			plan.Changes = append(plan.Changes, Change{Action: Delete, Name: t.Name, Target: t})
		}
	}
	sortProblems(plan.Problems)
	return plan
}

// planTarget plans one spec against the stored targets.
func planTarget(ctx context.Context, spec TargetSpec, current map[string]core.Target, in Input, r urlsafe.Resolver) (Change, []Problem) {
	cur, exists := current[spec.Target.Name]
	spec, ps, urlFailed := withSourcedURL(spec, in.URLs, cur, exists)
	want := desired(spec, in.Defaults)
	c := Change{Name: want.Name, Target: want}
	sec, hasSource := in.Secrets[want.Name]
	if !hasSource && (spec.SecretFile != "" || spec.SecretEnv != "") {
		p := codes.NewProblem(codes.SecretMissing, "signing_secret", "the secret named here was not read")
		sec, hasSource = Secret{Problem: &p}, true
	}
	if hasSource && sec.Problem == nil {
		if p := signing.CheckSecret(sec.Value); p != nil {
			sec.Problem = p
		}
	}
	if hasSource && sec.Problem != nil {
		p := *sec.Problem
		p.Field = spec.SecretKey()
		ps = append(ps, Problem{File: spec.File, Line: spec.LineOf(p.Field), Target: want.Name, Problem: p})
	}
	var stored *core.Target
	if exists {
		stored = &cur
	}
	edgeValue, eps := planEdge(spec, in, stored)
	ps = append(ps, eps...)
	switch {
	case !exists:
		c.EdgeValue = edgeValue
		c.Action = Create
		if !hasSource {
			p := spec.problem(codes.SecretMissing, "signing",
				"a new target needs its secret's source: [target.signing] secret_file or secret_env")
			p.Fix = secretSourceFix
			ps = append(ps, p)
		}
		c.Secret = sec.Value
	default:
		c.Changed = core.FieldKeys(core.ChangedFields(cur, want), "name") // apply never renames
		if hasSource && sec.Problem == nil && (cur.Signing == nil || cur.Signing.Fingerprint != signing.Fingerprint(sec.Value)) {
			c.Changed = append(c.Changed, "signing")
			c.Secret = sec.Value
			c.Grace = spec.Grace
		}
		if edgeValue != "" {
			c.Changed = append(c.Changed, "edge_auth.value")
			c.EdgeValue = edgeValue
		}
		if !hasSource && cur.Signing == nil {
			p := spec.problem(codes.SecretMissing, "signing",
				"no signing secret is stored for this target: name its source under [target.signing]")
			p.Fix = secretSourceFix
			ps = append(ps, p)
		}
		if len(c.Changed) == 0 && len(ps) == 0 {
			c.Action, c.Target = Unchanged, cur
			return c, nil
		}
		c.Action = Update
		c.Target.ID, c.Target.Version, c.Target.CreatedAt, c.Target.Signing = cur.ID, cur.Version, cur.CreatedAt, cur.Signing
	}
	// The same checks as add; the secret was judged above. The endpoint
	// is checked again only for a new target or a change it depends on.
	var assessed core.Assessment
	if endpointChanged(c) && !urlFailed {
		assessed = core.Assess(ctx, want, "", r)
	} else {
		assessed = core.AssessWith(want, "", nil)
	}
	for _, p := range assessed.Problems {
		if p.Field != "signing_secret" && !(urlFailed && p.Field == "webhook_url") {
			ps = append(ps, Problem{File: spec.File, Line: spec.LineOf(p.Field), Target: want.Name, Problem: p})
		}
	}
	if v := assessed.Verdict; v != nil {
		c.Warnings, c.Host, c.Addresses = v.Warnings, v.Host, v.Addresses
	}
	return c, ps
}

// secretSourceFix is the fix for a target whose secret has no source.
const secretSourceFix = `Add [target.signing] with secret_file = "path" (relative to the file) or secret_env = "VARIABLE".`

// desired is the target a spec asks for, with the configured defaults for
// what it leaves out, as `add` fills them.
func desired(spec TargetSpec, d Defaults) core.Target {
	t := spec.Target
	t.PrivateNetwork.Allowlist = slices.Clone(t.PrivateNetwork.Allowlist)
	if !spec.Has("deployment_mode") {
		t.DeploymentMode = d.Mode
	}
	if !spec.Has("private_network.policy") {
		t.PrivateNetwork.Policy = core.DefaultPolicy(t.DeploymentMode, d.Policy, t.PrivateNetwork.Allowlist)
	}
	return t
}

// endpointChanged reports whether c needs the URL safety check: a new
// target, or a change to what the check depends on.
func endpointChanged(c Change) bool {
	if c.Action == Create {
		return true
	}
	for _, k := range c.Changed {
		if k == "webhook_url" || k == "deployment_mode" || k == "resolve" || strings.HasPrefix(k, "private_network.") {
			return true
		}
	}
	return false
}

// noResolver answers no lookup, so a plan made without a resolver refuses
// every URL that needs DNS rather than passing it unchecked.
type noResolver struct{}

func (noResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return nil, errors.New("no resolver was given")
}
