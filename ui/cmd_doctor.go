package ui

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/doctor"
	"github.com/webriskops/webhook-setup/core/sanitize"
	"github.com/webriskops/webhook-setup/core/urlsafe"
	"github.com/webriskops/webhook-setup/store"
)

type doctorCmdOptions struct {
	json, network bool
	resolve       resolveFlag
	rehearsal     rehearsalFlags
	acceptDNS     string
}

// NewCmdDoctor builds `doctor`: one health report of the store and every
// target, a verdict per check and the fix of each that fails. runF, when not
// nil, gets the parsed options instead of doctorRun (tests).
func NewCmdDoctor(app *App, runF func(*doctorCmdOptions) error) *cobra.Command {
	opts := &doctorCmdOptions{}
	cmd := &cobra.Command{
		Use:   "doctor [--network] [--json]",
		Short: "Check the store and every target, and say what to fix (exit 3 when something needs action)",
		Long: `doctor checks the store (ownership and modes of its folder, key and database,
PRAGMA integrity_check, schema version, key check value, the audit chain) and
every target (URL safety now and DNS drift since its save, clock skew from the
latest delivery responses, secret age against rotation.max_age, grace secrets,
failed and pending deliveries, fallback bundles) and leftover wizard drafts.
It changes nothing. --network adds a TLS handshake with each receiver (no HTTP
request) to check its certificate chain and days to expiry.

Exit 0 when nothing needs action, 3 (generic_webhook_needs_action) otherwise.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return doctorRun(cmd.Context(), app, opts)
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&opts.json, "json", false, "print the report as JSON: {at, healthy, failed, warned, checks: [{id, target, verdict, summary, code, fix}]}")
	fs.BoolVar(&opts.network, "network", false, "also make a TLS handshake with each receiver (no request) and check its certificate")
	fs.StringVar(&opts.acceptDNS, "accept-dns", "", "record today's DNS answers of target NAME as the ones to compare with (after its URL passes URL safety)")
	opts.resolve.register(fs)
	opts.rehearsal.register(fs)
	return cmd
}

func doctorRun(ctx context.Context, app *App, opts *doctorCmdOptions) error {
	resolver, err := opts.resolve.resolver(app)
	if err != nil {
		return err
	}
	if err := opts.rehearsal.load(); err != nil {
		return err
	}
	if opts.rehearsal.given() && !opts.network {
		return codes.Errorf(codes.Usage, "--to only goes with --network").
			WithFix("Add --network to make the TLS handshake with the receiver at --to.")
	}
	if opts.acceptDNS != "" {
		return acceptDNS(ctx, app, opts.acceptDNS, resolver)
	}
	report, err := app.doctorReport(ctx, doctorOptions{
		Resolver: resolver, Overridden: opts.resolve.overrides, Network: opts.network, Rehearsal: &opts.rehearsal,
	})
	if err != nil {
		return err
	}
	if opts.json {
		if err := writeJSON(app.Out, report); err != nil {
			return err
		}
	} else {
		writeDoctorText(app.Out, report)
	}
	if !report.Healthy {
		return &silentError{code: codes.NeedsAction}
	}
	return nil
}

// overrides reports whether a --resolve entry answers lookups of host.
func (f *resolveFlag) overrides(host string) bool {
	entries, err := urlsafe.ParseResolve(f.entries)
	if err != nil {
		return false
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, e := range entries {
		if e.Host == host {
			return true
		}
	}
	return false
}

// verdictMark is how a verdict reads in text output: words, not colour or
// symbols alone, so NO_COLOR and screen readers lose nothing.
var verdictMark = map[doctor.Verdict]string{doctor.OK: "ok  ", doctor.Warn: "WARN", doctor.Fail: "FAIL", doctor.Skip: "skip"}

// writeDoctorText prints the report for people, 80 columns wide.
func writeDoctorText(w io.Writer, r doctor.Report) {
	for _, c := range r.Checks {
		name := c.ID
		if c.Target != "" {
			name += " " + c.Target
		}
		fmt.Fprintln(w, verdictMark[c.Verdict]+" "+sanitize.Line(name))
		fmt.Fprintln(w, wrapped("     ", sanitize.Line(c.Summary), 5))
		if c.Verdict == doctor.Fail || c.Verdict == doctor.Warn {
			if c.Fix != "" {
				fix := c.Fix
				if c.Code != "" {
					fix = string(c.Code) + ": " + fix
				}
				fmt.Fprintln(w, wrapped("     fix: ", sanitize.Line(fix), 10))
			}
		}
	}
	switch {
	case r.Healthy && r.Warned == 0:
		fmt.Fprintf(w, "\nHealthy: %d checks passed.\n", len(r.Checks))
	case r.Healthy:
		fmt.Fprintf(w, "\nHealthy, with %d warning(s) worth a look.\n", r.Warned)
	default:
		fmt.Fprintf(w, "\n%d check(s) need action (%s); each names its fix above.\n", r.Failed, codes.NeedsAction)
	}
}

// acceptDNS records the answers a target's host has today, once its URL
// passes URL safety with them: the operator confirmed the move doctor
// reported as drift.
func acceptDNS(ctx context.Context, app *App, name string, r urlsafe.Resolver) error {
	return app.withStore(func(s *store.Store) error {
		t, err := s.Target(ctx, name)
		if err != nil {
			return err
		}
		v := core.CheckEndpoint(ctx, t, r)
		if p := core.VerdictProblem(v); p != nil {
			return codes.ProblemsError([]codes.Problem{*p})
		}
		if err := s.RecordAddresses(ctx, t.Name, v.Host, v.Addresses); err != nil {
			return err
		}
		if err := s.AddAudit(ctx, "", "target.dns_accept", t.Name, fmt.Sprintf("%s answers %s, recorded as expected", v.Host, strings.Join(v.Addresses, ", "))); err != nil {
			return err
		}
		fmt.Fprintf(app.Out, "Recorded the DNS answers of %s for %s: %s.\n", v.Host, t.Name, strings.Join(v.Addresses, ", "))
		return nil
	})
}
