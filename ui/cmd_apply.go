package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/config"
	"github.com/webriskops/webhook-setup/core/sanitize"
	"github.com/webriskops/webhook-setup/store"
)

type applyOptions struct {
	file    string
	dryRun  bool
	prune   bool
	resolve resolveFlag
	json    bool
}

// NewCmdApply builds `apply -f FILE`: make the saved targets match a
// target file. It prints the plan first, then applies all of it in one
// transaction, or nothing when any target may not be saved. runF, when not
// nil, gets the checked options instead of applyRun (tests).
func NewCmdApply(app *App, runF func(*applyOptions) error) *cobra.Command {
	opts := &applyOptions{}
	cmd := &cobra.Command{
		Use:   "apply -f FILE [--dry-run] [--prune] [--resolve HOST:PORT:ADDR] [--json]",
		Short: "Create and update targets from a TOML file (targets as code)",
		Long: `apply makes the saved targets match a file of [[target]] tables, which use the
same fields and names as add (webhook_url, not base_url). Secrets are never in
the file: [target.signing] names a secret_file (relative to the file's folder)
or a secret_env variable. A target without [target.signing] keeps its stored
secret; a different secret is a rotation, the old one valid for signing.grace
(default 24h). Webhook URLs are bearer credentials too: instead of webhook_url
a target may name webhook_url_file (relative to the file's folder, one line)
or webhook_url_env. Secret and URL files must be private to their owner
(mode 0600); the plan never shows a URL.

It prints the plan (create, update with the changed keys, unchanged, and with
--prune delete), then applies all of it in one transaction. If any target is
invalid nothing is written and every problem is listed with its line and code.
--dry-run stops after the plan. Applying the same file again changes nothing.`,
		Example: `  webhook-setup export-config --out targets.toml
  webhook-setup apply -f targets.toml --dry-run
  webhook-setup apply -f targets.toml --prune`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.file == "" {
				return codes.Errorf(codes.Usage, "apply needs -f FILE").
					WithFix("Name the target file with -f; webhook-setup export-config writes one from the saved targets.")
			}
			if runF != nil {
				return runF(opts)
			}
			return applyRun(cmd.Context(), app, opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&opts.file, "file", "f", "", "the target file (- for standard input)")
	fs.BoolVar(&opts.dryRun, "dry-run", false, "print the plan and stop")
	fs.BoolVar(&opts.prune, "prune", false, "delete saved targets the file leaves out")
	opts.resolve.register(fs)
	fs.BoolVar(&opts.json, "json", false, `print {"plan":[{"action","name","changed"}],"applied":bool}`)
	return cmd
}

// planEntry is the JSON and text shape of one line of the plan.
type planEntry struct {
	Action   config.Action `json:"action"`
	Name     string        `json:"name"`
	Changed  []string      `json:"changed"`
	Warnings []string      `json:"warnings,omitempty"`
}

// applyResult is apply's --json output.
type applyResult struct {
	Plan    []planEntry `json:"plan"`
	Applied bool        `json:"applied"`
	DryRun  bool        `json:"dry_run"`
}

func applyRun(ctx context.Context, app *App, opts *applyOptions) error {
	data, dir, err := readTargetFile(app, opts.file)
	if err != nil {
		return err
	}
	specs, err := config.ParseTargets(data, opts.file)
	if err != nil {
		return err
	}
	if opts.prune && len(specs) == 0 {
		return codes.Errorf(codes.Usage, "%s has no [[target]], so --prune would delete every saved target", opts.file).
			WithFix("Check the file; to remove targets one by one use webhook-setup disconnect.")
	}
	resolver, err := opts.resolve.resolver(app)
	if err != nil {
		return err
	}
	st, current, err := openIfExists(ctx, app)
	if err != nil {
		return err
	}
	if st != nil {
		defer st.Close()
	}
	plan := config.MakePlan(ctx, config.Input{
		Current: current,
		Specs:   specs,
		Secrets: readSecrets(app, specs, dir),
		URLs:    readURLs(app, specs, dir),
		Defaults: config.Defaults{
			Mode:   core.Mode(app.Settings.Get("defaults.deployment_mode").Value),
			Policy: core.NetworkPolicy(app.Settings.Get("defaults.private_network_policy").Value),
		},
		Prune:      opts.prune,
		EdgeValues: readEdgeValues(app, specs, dir),
	}, resolver)

	result := applyResult{Plan: planEntries(plan), DryRun: opts.dryRun}
	if !opts.json {
		writePlanText(app.Out, opts.file, plan, result.Plan)
	}
	if len(plan.Problems) > 0 {
		if !opts.json {
			fmt.Fprintf(app.Out, "Nothing was written: %s.\n", countNoun(len(plan.Problems), "problem"))
		}
		return config.Error(plan.Problems)
	}
	switch {
	case opts.dryRun:
		if !opts.json {
			fmt.Fprintln(app.Out, "Dry run: nothing was written.")
		}
	case !plan.Writes():
		result.Applied = true
		if !opts.json {
			fmt.Fprintln(app.Out, "Nothing to change.")
		}
	default:
		if err := writePlan(ctx, app, st, plan); err != nil {
			return err
		}
		result.Applied = true
		if !opts.json {
			fmt.Fprintf(app.Out, "Applied: %d created, %d updated, %d deleted.\n",
				plan.Count(config.Create), plan.Count(config.Update), plan.Count(config.Delete))
		}
	}
	if opts.json {
		return writeJSON(app.Out, result)
	}
	return nil
}

// planEntries is the plan as --json shows it: every change, an empty
// changed list rather than null.
func planEntries(plan config.Plan) []planEntry {
	entries := make([]planEntry, len(plan.Changes))
	for i, c := range plan.Changes {
		changed := c.Changed
		if changed == nil {
			changed = []string{}
		}
		entries[i] = planEntry{Action: c.Action, Name: c.Name, Changed: changed, Warnings: c.Warnings}
	}
	return entries
}

// writePlan applies plan in one transaction, on st or, when there was no
// store yet (st nil), on one it creates, and records the DNS answers judged
// for new and changed endpoints, for doctor to name drift later.
func writePlan(ctx context.Context, app *App, st *store.Store, plan config.Plan) error {
	if st == nil {
		var err error
		if st, err = app.OpenStore(); err != nil {
			return err
		}
		defer st.Close()
	}
	if err := st.Apply(ctx, planOps(plan), store.Actor()); err != nil {
		return err
	}
	for _, c := range plan.Changes {
		if c.Action != config.Delete && len(c.Addresses) > 0 {
			if err := st.RecordAddresses(ctx, c.Name, c.Host, c.Addresses); err != nil {
				return err
			}
		}
	}
	return nil
}

// readTargetFile reads -f (or standard input for "-") and returns the
// folder that relative secret_file paths are read from.
func readTargetFile(app *App, name string) ([]byte, string, error) {
	if name == "-" {
		data, err := io.ReadAll(io.LimitReader(app.In, config.MaxFileSize+1))
		if err != nil {
			return nil, "", codes.Errorf(codes.ConfigInvalid, "cannot read the target file from standard input: %v", err)
		}
		return data, ".", nil
	}
	data, err := readLimited(name)
	if err != nil {
		return nil, "", codes.Errorf(codes.ConfigInvalid, "cannot read the target file %s: %v", name, unwrapPathError(err)).
			WithFix("Check the path given with -f; webhook-setup export-config writes a target file.")
	}
	return data, filepath.Dir(name), nil
}

// openIfExists opens the store and reads every target when the database
// exists. A missing database has no targets, and is not created just to
// plan: a dry run or a refused file leaves no trace.
func openIfExists(ctx context.Context, app *App) (*store.Store, []core.Target, error) {
	if _, err := os.Stat(app.Settings.DBPath()); errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	st, err := app.OpenStore()
	if err != nil {
		return nil, nil, err
	}
	targets, err := st.Targets(ctx, 0, 0)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, targets, nil
}

// maxSecretFile bounds a secret file; a secret is at most 256 bytes, so
// anything much larger is the wrong file.
const maxSecretFile = 64 << 10

// readSecrets reads the secret of every target that names a source: a
// secret_file relative to dir (read by readCredentialFile: private files
// only), or a secret_env variable. Failures become the target's problem,
// reported by the planner with the line.
func readSecrets(app *App, specs []config.TargetSpec, dir string) map[string]config.Secret {
	out := map[string]config.Secret{}
	for _, s := range specs {
		switch {
		case s.SecretFile != "":
			p := fromTargetFile(dir, s.SecretFile)
			v, err := readCredentialFile(p, maxSecretFile)
			if err != nil {
				out[s.Target.Name] = config.Secret{Problem: credentialFileProblem(err, "secret file", sourcePath(s.SecretFile, p),
					codes.SecretMissing, "Put the target's signing secret in that file (one line, mode 0600), or name secret_env instead.")}
				continue
			}
			out[s.Target.Name] = config.Secret{Value: v}
		case s.SecretEnv != "":
			v := app.Getenv(s.SecretEnv)
			if v == "" {
				pr := codes.NewProblem(codes.SecretMissing, "signing_secret",
					fmt.Sprintf("the environment variable %s is empty or unset", sourceName(s.SecretEnv)))
				pr.Fix = "Set the variable to the target's signing secret for the apply, or name a secret_file instead."
				out[s.Target.Name] = config.Secret{Problem: &pr}
				continue
			}
			out[s.Target.Name] = config.Secret{Value: v}
		}
	}
	return out
}

// fromTargetFile is where a path a targets file names is read: as written
// when absolute, else relative to dir, the targets file's folder.
func fromTargetFile(dir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

func readSecretFile(path string) ([]byte, error) {
	b, err := readFileMax(path, maxSecretFile)
	if errors.Is(err, errTooLarge) {
		err = fmt.Errorf("the file is over %d bytes, far more than a secret", maxSecretFile)
	}
	return b, err
}

// errTooLarge is readFileMax's error for a file over its limit.
var errTooLarge = errors.New("the file is too large")

// readFileMax reads path when it holds at most max bytes. It never reads
// more than max+1, so a path like /dev/zero or a huge file given by
// mistake is refused at once instead of filling the memory.
func readFileMax(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err == nil && int64(len(b)) > max {
		return nil, fmt.Errorf("%w: over %d bytes", errTooLarge, max)
	}
	return b, err
}

// planOps turns the plan's changes into the store's ops, in plan order.
func planOps(plan config.Plan) []store.Op {
	var ops []store.Op
	for _, c := range plan.Changes {
		switch c.Action {
		case config.Create:
			ops = append(ops, store.Op{Kind: store.OpCreate, Target: c.Target, Secret: c.Secret, EdgeValue: c.EdgeValue})
		case config.Update:
			// The store records the rotation itself; the other keys name the
			// audit event's changed fields.
			var changed []string
			for _, k := range c.Changed {
				if k != "signing" {
					changed = append(changed, k)
				}
			}
			ops = append(ops, store.Op{Kind: store.OpUpdate, Target: c.Target, Secret: c.Secret, Grace: c.Grace, Changed: changed,
				EdgeValue: c.EdgeValue})
		case config.Delete:
			ops = append(ops, store.Op{Kind: store.OpDelete, Target: c.Target})
		}
	}
	return ops
}

// writePlanText prints the plan, one target a line, and a summary. A
// target with problems is marked blocked; the problems follow on stderr.
func writePlanText(w io.Writer, file string, plan config.Plan, entries []planEntry) {
	blocked := map[string]bool{}
	for _, p := range plan.Problems {
		blocked[p.Target] = true
	}
	fmt.Fprintf(w, "Plan for %s:\n", sanitize.Line(file))
	for _, e := range entries {
		line := fmt.Sprintf("  %-10s %s", e.Action, sanitize.Line(e.Name))
		if len(e.Changed) > 0 {
			line += " (" + strings.Join(e.Changed, ", ") + ")"
		}
		if blocked[e.Name] {
			line += "  [blocked]"
		}
		fmt.Fprintln(w, line)
		for _, warn := range e.Warnings {
			fmt.Fprintf(w, "             warning: %s\n", sanitize.Line(warn))
		}
	}
	if len(entries) == 0 {
		fmt.Fprintln(w, "  (no targets)")
	}
	summary := fmt.Sprintf("%d to create, %d to update, %d unchanged",
		plan.Count(config.Create), plan.Count(config.Update), plan.Count(config.Unchanged))
	if n := plan.Count(config.Delete); n > 0 {
		summary += fmt.Sprintf(", %d to delete", n)
	}
	fmt.Fprintln(w, summary+".")
}

// countNoun is "1 problem" or "3 problems".
func countNoun(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
