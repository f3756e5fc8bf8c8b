package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/config"
	"github.com/webriskops/webhook-setup/store"
)

// edgeFlags are the edge authentication header of a target: its name, and
// where its value comes from. Like a signing secret, the value is never a
// flag value, so it stays out of shell history and the process list.
type edgeFlags struct {
	header, file, env string
}

func (f *edgeFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.header, "edge-header", "", "edge authentication: the header the platform checks before any step (x-make-apikey, n8n Header Auth, a proxy's header)")
	fs.StringVar(&f.file, "edge-value-file", "", "with --edge-header: read its value from this file (one trailing newline is trimmed)")
	fs.StringVar(&f.env, "edge-value-env", "", "with --edge-header: read its value from this environment variable")
}

// given reports whether any edge flag was set.
func (f *edgeFlags) given() bool { return f.header != "" || f.file != "" || f.env != "" }

// read returns the header name and value, checked together; both empty
// when no edge flag was given. Refusals are problems (EDGE_*), so add can
// report them with the rest.
func (f *edgeFlags) read(app *App) (header, value string, problems []codes.Problem) {
	if !f.given() {
		return "", "", nil
	}
	field := "edge_auth.value"
	switch {
	case f.file != "" && f.env != "":
		return "", "", []codes.Problem{{Code: codes.Usage, Field: field,
			Reason: "give the edge value one way: --edge-value-file or --edge-value-env", Fix: codes.Usage.Fix()}}
	case f.file != "":
		b, err := readSecretFile(f.file)
		if err != nil {
			return "", "", []codes.Problem{{Code: codes.EdgeValueMissing, Field: field,
				Reason: fmt.Sprintf("cannot read the edge value file %s: %v", sourceName(f.file), unwrapPathError(err)),
				Fix:    "Check the path and its permissions, or use --edge-value-env."}}
		}
		value = strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	case f.env != "":
		if value = app.Getenv(f.env); value == "" {
			return "", "", []codes.Problem{{Code: codes.EdgeValueMissing, Field: field,
				Reason: fmt.Sprintf("the environment variable %s is empty or unset", sourceName(f.env)),
				Fix:    "Give --edge-value-env the NAME of a variable that holds the value, or use --edge-value-file."}}
		}
	}
	return f.header, value, core.CheckEdge(f.header, value)
}

// apply sets t's edge header name from the flags (nil without one).
func (f *edgeFlags) apply(t *core.Target, header string) {
	if header != "" {
		t.EdgeAuth = &core.EdgeAuth{Header: header}
	}
}

// edgeRedacted replaces the value of an edge header wherever a request is
// shown or written: dry run text, --curl, --json and --out files.
const edgeRedacted = "[redacted edge authentication value]"

// rotateEdge is rotate-secret --edge: a new edge value (and optionally a
// new header name), sent from the next delivery on.
func rotateEdge(ctx context.Context, app *App, name string, f *edgeFlags, jsonOut bool) error {
	if f.file == "" && f.env == "" {
		return codes.Errorf(codes.EdgeValueMissing, "no new edge authentication value was given").
			WithFix("Give the new value with --edge-value-file F or --edge-value-env VAR (and --edge-header NAME to rename the header).")
	}
	header := f.header
	var t core.Target
	err := app.withStore(func(s *store.Store) error {
		cur, err := s.Target(ctx, name)
		if err != nil {
			return err
		}
		if header == "" && cur.EdgeAuth != nil {
			header = cur.EdgeAuth.Header
		}
		g := *f
		g.header = header
		_, value, ps := g.read(app)
		if header == "" {
			ps = []codes.Problem{codes.NewProblem(codes.EdgeValueMissing, "edge_auth.header",
				fmt.Sprintf("%s has no edge authentication header yet, and --edge-header was not given", name))}
		}
		if len(ps) > 0 {
			return codes.ProblemsError(ps)
		}
		t, err = s.RotateEdge(ctx, name, header, value, store.Actor())
		return err
	})
	if err != nil {
		return err
	}
	if jsonOut {
		return writeJSON(app.Out, app.targetView(t, false))
	}
	fmt.Fprintf(app.Out, "Set the edge authentication value of %s.\n", t.Name)
	field(app.Out, "edge_auth", core.EdgeSummary(t.EdgeAuth))
	fmt.Fprintln(app.Out, "Deliveries send the new value from now on; put the same value in the platform.")
	return nil
}

// readEdgeValues reads the edge value of every target whose
// [target.edge_auth] names a source, as readSecrets reads secrets: a
// value_file relative to dir (one trailing newline trimmed) or a value_env
// variable. Failures become the target's problem, reported by the planner
// with the line.
func readEdgeValues(app *App, specs []config.TargetSpec, dir string) map[string]config.Secret {
	out := map[string]config.Secret{}
	for _, s := range specs {
		switch {
		case s.EdgeValueFile != "":
			p := s.EdgeValueFile
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
			}
			b, err := readSecretFile(p)
			if err != nil {
				pr := codes.NewProblem(codes.EdgeValueMissing, "",
					fmt.Sprintf("cannot read the edge value file %s: %v", sourcePath(s.EdgeValueFile, p), unwrapPathError(err)))
				pr.Fix = "Put the target's edge value in that file (one line, mode 0600), or name value_env instead."
				out[s.Target.Name] = config.Secret{Problem: &pr}
				continue
			}
			out[s.Target.Name] = config.Secret{Value: strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")}
		case s.EdgeValueEnv != "":
			v := app.Getenv(s.EdgeValueEnv)
			if v == "" {
				pr := codes.NewProblem(codes.EdgeValueMissing, "",
					fmt.Sprintf("the environment variable %s is empty or unset", sourceName(s.EdgeValueEnv)))
				pr.Fix = "Set the variable to the target's edge value for the apply, or name a value_file instead."
				out[s.Target.Name] = config.Secret{Problem: &pr}
				continue
			}
			out[s.Target.Name] = config.Secret{Value: v}
		}
	}
	return out
}
