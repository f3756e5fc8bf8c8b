package config

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

// The committed seeds live in testdata/fuzz/<FuzzName>/; these add the
// files the unit tests use.

// FuzzParseTargets feeds arbitrary bytes to the target file loader and,
// when they load, to the planner against a store with targets in it. It
// checks that nothing panics, that every refusal is a ConfigInvalid error
// naming the file, and that planning leaves the store's targets as they
// were (the planner has no way to write; this proves it does not change
// what it was given either).
func FuzzParseTargets(f *testing.F) {
	f.Add([]byte(goodTargets))
	f.Add([]byte(entry("a", "https://receiver.example.com/a", "[target.signing]", `secret_env = "A"`)))
	f.Add([]byte("target = [{ name = \"a\", private_network = { allowlist = [\"10.0.0.0/8\"] } }]"))
	f.Add([]byte("[[target]]\nname = \"a\"\n[target.signing]\nsecret = \"x\"\n"))
	f.Add([]byte(sourced("a", "webhook_url_file", "a.url") + sourced("c", "webhook_url_env", "C", `webhook_url = "https://x.example/"`)))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		specs, err := ParseTargets(data, "f.toml")
		if err != nil {
			var e *codes.Error
			if !errors.As(err, &e) || e.Code != codes.ConfigInvalid || len(e.Problems) == 0 {
				t.Fatalf("refusal is not a ConfigInvalid error with problems: %#v", err)
			}
			for _, p := range e.Problems {
				if !strings.HasPrefix(p.Reason, "f.toml") {
					t.Fatalf("problem does not name the file: %q", p.Reason)
				}
			}
			return
		}
		current := []core.Target{
			stored("a", "https://receiver.example.com/a", secretA),
			stored("b", "https://hooks.zapier.com/hooks/catch/1/x/", secretB),
		}
		current[1].PrivateNetwork.Allowlist = []string{"10.0.0.0/8"}
		before := deepCopy(current)
		secrets := map[string]Secret{}
		urls := map[string]SourcedURL{}
		unread := codes.NewProblem(codes.URLMissing, "", "not read")
		for i, s := range specs {
			if s.SecretFile != "" || s.SecretEnv != "" {
				secrets[s.Target.Name] = Secret{Value: []string{secretA, secretB, "weak"}[i%3]}
			}
			if s.URLSourced() {
				urls[s.Target.Name] = []SourcedURL{{Value: "https://receiver.example.com/a"}, {Value: "https://127.0.0.1/"}, {Problem: &unread}}[i%3]
			}
		}
		p := MakePlan(context.Background(), Input{Current: current, Specs: specs, Secrets: secrets, URLs: urls, Defaults: defaults, Prune: true}, testResolver)
		if !reflect.DeepEqual(before, current) {
			t.Fatal("planning changed the stored targets it was given")
		}
		if n := len(p.Changes) - p.Count(Delete); n != len(specs) {
			t.Fatalf("%d changes for %d targets", n, len(specs))
		}
		for _, pr := range p.Problems {
			if pr.File != "f.toml" || pr.Line < 0 || pr.Code == "" {
				t.Fatalf("problem without a place or code: %+v", pr)
			}
		}
		if err := Error(p.Problems); err != nil && codes.ExitCode(err) == codes.ExitOK {
			t.Fatal("a problem maps to exit 0")
		}
	})
}

// FuzzParseSettings feeds arbitrary bytes to the settings loader: no panic,
// every refusal a ConfigInvalid error, every value under a known key.
func FuzzParseSettings(f *testing.F) {
	f.Add([]byte("db_path = \"/x\"\n[delivery]\nmax_attempts = 3\n[ui]\ncolor = false\n"))
	f.Add([]byte("[delivery]\nmax_attempts = \"eight\"\n"))
	f.Add([]byte("ui.accessible = true\nunknown = 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		values, err := ParseSettings(data, "c.toml", testSchema)
		if err != nil {
			var e *codes.Error
			if !errors.As(err, &e) || e.Code != codes.ConfigInvalid || len(e.Problems) == 0 {
				t.Fatalf("refusal is not a ConfigInvalid error with problems: %#v", err)
			}
			return
		}
		for k, v := range values {
			if _, ok := testSchema[k]; !ok {
				t.Fatalf("value for unknown key %q", k)
			}
			if v.Line < 0 {
				t.Fatalf("%s on line %d", k, v.Line)
			}
		}
	})
}
