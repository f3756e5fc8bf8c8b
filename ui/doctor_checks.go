package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/core/doctor"
	"github.com/webriskops/webhook-setup/core/urlsafe"
	"github.com/webriskops/webhook-setup/store"
)

// doctorOptions are the choices of one doctor run; the wizard's Doctor
// screen fills them too.
type doctorOptions struct {
	Resolver urlsafe.Resolver
	// Overridden reports whether --resolve answers lookups of host.
	Overridden func(host string) bool
	// Network adds a TLS handshake with each receiver (no request).
	Network   bool
	Rehearsal *rehearsalFlags
}

// doctorReport gathers every check of doctor. It reads the store without
// its key where it can and changes nothing on disk: the ownership rules
// run on each path before the store is opened, and the key is verified
// as it is (store.CheckKeyAsIs).
func (a *App) doctorReport(ctx context.Context, opts doctorOptions) (doctor.Report, error) {
	now := a.Now()
	var checks []doctor.Check
	add := func(c ...doctor.Check) { checks = append(checks, c...) }

	paths := store.CheckPaths(a.Settings.DBPath(), a.Settings.KeyFile())
	unsafe := false
	for _, p := range paths {
		c := pathCheck(p)
		if c.Verdict == doctor.Fail && p.Err != nil {
			unsafe = true
		}
		add(c)
	}
	if unsafe {
		add(doctor.Check{ID: "store.open", Verdict: doctor.Skip,
			Summary: "the store was not opened, since a path above fails the ownership rules; the checks of the database and targets did not run"})
		return doctor.NewReport(now, checks), nil
	}
	s, err := a.OpenStore()
	if err != nil {
		e := codes.AsError(err)
		add(doctor.Check{ID: "store.open", Verdict: doctor.Fail, Summary: e.Reason, Code: e.Code, Fix: e.Fix})
		return doctor.NewReport(now, checks), nil
	}
	defer s.Close()
	add(a.storeChecks(ctx, s)...)
	keyOK := true
	if err := s.CheckKeyAsIs(ctx); err != nil {
		keyOK = false
		e := codes.AsError(err)
		add(doctor.Check{ID: "store.key_check", Verdict: doctor.Fail, Summary: e.Reason, Code: e.Code, Fix: e.Fix})
	} else {
		add(doctor.Check{ID: "store.key_check", Verdict: doctor.OK, Summary: "the key file matches the database's key check value"})
	}
	if keyOK {
		targets, err := s.Targets(ctx, 0, 0)
		if err != nil {
			return doctor.Report{}, err
		}
		clocks, err := s.ClockSamples(ctx)
		if err != nil {
			return doctor.Report{}, err
		}
		for _, t := range targets {
			add(a.targetChecks(ctx, s, t, clocks, now, opts)...)
		}
	} else {
		add(doctor.Check{ID: "targets", Verdict: doctor.Skip, Summary: "the targets were not checked: their webhook URLs are sealed with the key that failed above"})
	}
	dc, err := deliveryChecks(ctx, s)
	if err != nil {
		return doctor.Report{}, err
	}
	add(dc...)
	drafts, err := s.Drafts(ctx)
	if err != nil {
		return doctor.Report{}, err
	}
	add(draftChecks(drafts)...)
	return doctor.NewReport(now, checks), nil
}

// pathCheck reports one path of the store under the ownership rules.
func pathCheck(p store.PathCheck) doctor.Check {
	id := "store." + strings.ReplaceAll(p.Role, " ", "_")
	c := doctor.Check{ID: id, Verdict: doctor.OK}
	switch {
	case p.Err != nil:
		e := codes.AsError(p.Err)
		c.Verdict, c.Summary, c.Code, c.Fix = doctor.Fail, e.Reason, e.Code, e.Fix
	case p.Mode == "":
		c.Summary = fmt.Sprintf("the %s %s does not exist yet", p.Role, p.Path)
	case p.Loose:
		c.Verdict, c.Code = doctor.Fail, codes.StoreUnsafe
		c.Summary = fmt.Sprintf("the %s %s can be read by other users (mode %s)", p.Role, p.Path, p.Mode)
		c.Fix = fmt.Sprintf("Close it: chmod 0600 %s. Another account may have read it", p.Path)
		if p.Role == "key file" {
			c.Fix += ": the key decrypts every stored secret and webhook URL, so rotate the signing secrets (rotate-secret) and the receivers' URLs if that account is not trusted."
		} else {
			c.Fix += "."
		}
	default:
		c.Summary = fmt.Sprintf("the %s %s is yours and private (mode %s)", p.Role, p.Path, p.Mode)
	}
	return c
}

// storeChecks are the database's own checks: integrity, schema version,
// the audit chain.
func (a *App) storeChecks(ctx context.Context, s *store.Store) []doctor.Check {
	var out []doctor.Check
	if bad, err := s.IntegrityCheck(ctx); err != nil || len(bad) > 0 {
		summary := "PRAGMA integrity_check found: " + strings.Join(bad, "; ")
		if err != nil {
			summary = "PRAGMA integrity_check failed: " + err.Error()
		}
		out = append(out, doctor.Check{ID: "store.integrity", Verdict: doctor.Fail, Summary: summary, Code: codes.Store,
			Fix: "Stop every webhook-setup process, copy the database aside, and restore it from a backup (sqlite3 DB .recover can rescue rows)."})
	} else {
		out = append(out, doctor.Check{ID: "store.integrity", Verdict: doctor.OK, Summary: "PRAGMA integrity_check: ok"})
	}
	if have, want, err := s.Schema(ctx); err != nil || have != want {
		out = append(out, doctor.Check{ID: "store.schema", Verdict: doctor.Fail, Code: codes.Store,
			Summary: fmt.Sprintf("schema version %d, this webhook-setup writes %d (%v)", have, want, err), Fix: codes.Store.Fix()})
	} else {
		out = append(out, doctor.Check{ID: "store.schema", Verdict: doctor.OK, Summary: fmt.Sprintf("schema version %d (current)", have)})
	}
	if c, err := s.VerifyAudit(ctx, ""); err != nil || !c.OK() {
		summary := fmt.Sprintf("%v", err)
		if err == nil {
			summary = fmt.Sprintf("the audit log is broken at event %d: %s", c.Broken.ID, c.Broken.Reason)
		}
		out = append(out, doctor.Check{ID: "store.audit_chain", Verdict: doctor.Fail, Summary: summary, Code: codes.AuditTampered, Fix: codes.AuditTampered.Fix()})
	} else {
		out = append(out, doctor.Check{ID: "store.audit_chain", Verdict: doctor.OK, Summary: fmt.Sprintf("the audit log's hash chain holds (%d events)", c.Events)})
	}
	return out
}

// targetChecks are the checks of one saved target.
func (a *App) targetChecks(ctx context.Context, s *store.Store, t core.Target, clocks []store.ClockSample, now time.Time, opts doctorOptions) []doctor.Check {
	var out []doctor.Check
	out = append(out, a.urlChecks(ctx, s, t, opts)...)
	if opts.Network {
		out = append(out, a.tlsCheck(ctx, s, t, now, opts))
	}
	clock := doctor.Check{ID: "target.clock_skew", Target: t.Name, Verdict: doctor.Skip, Summary: "no delivery response with a Date header is recorded yet"}
	for _, c := range clocks {
		if c.Target == t.Name {
			clock = doctor.ClockSkew(t.Name, c.Skew(), c.LocalAt)
		}
	}
	out = append(out, clock)
	creds, err := s.CredentialAges(ctx, t.ID, now)
	if err != nil {
		out = append(out, doctor.Check{ID: "target.secret_age", Target: t.Name, Verdict: doctor.Fail, Summary: err.Error(), Code: codes.Store, Fix: codes.Store.Fix()})
		return out
	}
	var current time.Time
	var grace []time.Time
	for _, c := range creds {
		if c.ExpiresAt.IsZero() {
			current = c.CreatedAt
		} else {
			grace = append(grace, c.ExpiresAt)
		}
	}
	out = append(out, doctor.SecretAge(t.Name, current, now, a.Settings.Duration("rotation.max_age")))
	out = append(out, doctor.GraceSecrets(t.Name, grace, now))
	return out
}

// urlChecks judge the target's URL now (the same urlsafe.Check as every
// send) and compare today's DNS answers with those recorded at its save.
func (a *App) urlChecks(ctx context.Context, s *store.Store, t core.Target, opts doctorOptions) []doctor.Check {
	v := core.CheckEndpoint(ctx, t, opts.Resolver)
	policy := doctor.Check{ID: "target.url_policy", Target: t.Name, Verdict: doctor.OK}
	via := "DNS"
	if opts.Overridden != nil && opts.Overridden(v.Host) {
		via = "--resolve"
	}
	if v.Safe {
		policy.Summary = fmt.Sprintf("%s passes URL safety now; %s answers %s", v.URL, via, strings.Join(v.Addresses, ", "))
	} else {
		p := core.VerdictProblem(v)
		policy.Verdict, policy.Code, policy.Fix = doctor.Fail, p.Code, p.Fix
		policy.Summary = fmt.Sprintf("%s fails URL safety now (%s answers %s): %s", v.URL, via, listOrNone(v.Addresses), v.Reason)
	}
	out := []doctor.Check{policy}
	drift := doctor.Check{ID: "target.dns_drift", Target: t.Name}
	saved, ok, err := s.Addresses(ctx, t.ID)
	switch {
	case err != nil:
		drift.Verdict, drift.Summary = doctor.Skip, err.Error()
	case !ok:
		drift.Verdict = doctor.Warn
		drift.Summary = "no DNS answers were recorded when this target was saved, so drift cannot be judged"
		drift.Fix = fmt.Sprintf("Record today's answers once you trust them: webhook-setup doctor --accept-dns %s", t.Name)
	case len(v.Addresses) == 0:
		drift.Verdict, drift.Summary = doctor.Skip, "no answer today to compare with the answers at save ("+strings.Join(saved.Addresses, ", ")+")"
	default:
		now := slices.Clone(v.Addresses)
		slices.Sort(now)
		if slices.Equal(now, saved.Addresses) {
			drift.Verdict = doctor.OK
			drift.Summary = fmt.Sprintf("%s answers as at save (%s): %s", saved.Host, saved.CheckedAt.Format("2006-01-02"), strings.Join(now, ", "))
		} else {
			drift.Verdict, drift.Code = doctor.Fail, codes.BaseURLBlocked
			drift.Summary = fmt.Sprintf("the DNS answers of %s changed since the target was saved (%s): then %s, now %s",
				saved.Host, saved.CheckedAt.Format("2006-01-02"), strings.Join(saved.Addresses, ", "), strings.Join(now, ", "))
			drift.Fix = fmt.Sprintf("Ask the receiver's owner (%s) whether %s really moved. If it did, record the new answers: webhook-setup doctor --accept-dns %s; if not, stop exports to it (disconnect %s) until DNS is fixed.",
				t.ReceiverOwner, saved.Host, t.Name, t.Name)
		}
	}
	return append(out, drift)
}

// tlsCheck makes a TLS handshake with the receiver (the rehearsal receiver
// with --to) through the same pinned client as a delivery, and judges its
// certificate. No HTTP request is sent.
func (a *App) tlsCheck(ctx context.Context, s *store.Store, t core.Target, now time.Time, opts doctorOptions) doctor.Check {
	c := doctor.Check{ID: "target.tls", Target: t.Name}
	ep, err := a.endpointFor(ctx, s, t, opts.Resolver, opts.Rehearsal)
	if err != nil {
		e := codes.AsError(err)
		c.Verdict, c.Summary = doctor.Skip, "no handshake: "+e.Reason
		return c
	}
	hctx, cancel := context.WithTimeout(ctx, a.Settings.Duration("delivery.connect_timeout")+10*time.Second)
	defer cancel()
	cert, err := urlsafe.Handshake(hctx, ep.Client, ep.URL, now)
	where := ep.Redacted()
	if err != nil {
		c.Verdict, c.Code = doctor.Fail, codes.DeliveryFailed
		c.Summary = fmt.Sprintf("the TLS handshake with %s failed: %v", where, err)
		c.Fix = "Check that the receiver is up and serves HTTPS on that port; " + delivery.ClassifyError(err).Fix()
		return c
	}
	c.Summary = fmt.Sprintf("%s presents %s, issued by %s, valid until %s (%d days left)", where, cert.Subject, cert.Issuer,
		cert.NotAfter.Format("2006-01-02"), cert.DaysLeft)
	switch {
	case !cert.Valid:
		c.Verdict, c.Code = doctor.Fail, codes.DeliveryFailed
		c.Summary += "; the chain does not verify: " + cert.Problem
		c.Fix = fmt.Sprintf("Ask the receiver's owner (%s) to renew or fix the certificate of %s: deliveries fail until it verifies.", t.ReceiverOwner, where)
	case cert.DaysLeft < doctor.MinCertDays:
		c.Verdict, c.Code = doctor.Fail, codes.DeliveryFailed
		c.Fix = fmt.Sprintf("Ask the receiver's owner (%s) to renew the certificate now: it expires in %d days.", t.ReceiverOwner, cert.DaysLeft)
	case cert.DaysLeft < doctor.WarnCertDays:
		c.Verdict = doctor.Warn
		c.Fix = fmt.Sprintf("Remind the receiver's owner (%s) to renew the certificate.", t.ReceiverOwner)
	default:
		c.Verdict = doctor.OK
	}
	return c
}

// deliveryChecks report pending and failed deliveries and fallback
// bundles waiting, per target name.
func deliveryChecks(ctx context.Context, s *store.Store) ([]doctor.Check, error) {
	facts, err := s.DeliveryFactsByTarget(ctx, 5)
	if err != nil {
		return nil, err
	}
	var out []doctor.Check
	for _, f := range facts {
		if n := f.Counts[string(delivery.StatusFailed)] + f.Counts[string(delivery.StatusBlocked)]; n > 0 {
			out = append(out, doctor.Check{ID: "target.deliveries_failed", Target: f.Target, Verdict: doctor.Fail, Code: codes.DeliveryFailed,
				Summary: fmt.Sprintf("%d deliveries failed or are blocked (last codes: %s)", n, listOrNone(f.LastFailures)),
				Fix:     "Look at them (webhook-setup deliveries --status failed), fix the cause their code names, then deliveries retry ID; or hand over their fallback bundles."})
		}
		if len(f.Fallbacks) > 0 {
			out = append(out, doctor.Check{ID: "target.fallback_bundles", Target: f.Target, Verdict: doctor.Fail, Code: codes.DeliveryFailed,
				Summary: fmt.Sprintf("fallback bundles wait to be handed over: %s", strings.Join(f.Fallbacks, ", ")),
				Fix:     "Hand the bundles to the receiver's owner through the agreed channel (they are signed), then delete them; or retry the deliveries once the endpoint works."})
		}
		if n := f.Counts[string(delivery.StatusPending)]; n > 0 {
			out = append(out, doctor.Check{ID: "target.deliveries_pending", Target: f.Target, Verdict: doctor.Warn,
				Summary: fmt.Sprintf("%d deliveries are queued", n),
				Fix:     "If no export is running, send them: webhook-setup deliveries drain."})
		}
	}
	if len(out) == 0 {
		out = append(out, doctor.Check{ID: "deliveries", Verdict: doctor.OK, Summary: "no delivery is queued, failed or waiting as a fallback bundle"})
	}
	return out, nil
}

// draftChecks report unfinished wizard setups.
func draftChecks(drafts []store.DraftFact) []doctor.Check {
	if len(drafts) == 0 {
		return []doctor.Check{{ID: "drafts", Verdict: doctor.OK, Summary: "no unfinished setup is left"}}
	}
	var out []doctor.Check
	for _, d := range drafts {
		out = append(out, doctor.Check{ID: "drafts", Verdict: doctor.Fail,
			Summary: fmt.Sprintf("an unfinished setup (%s, at step %s) was left on %s", d.ID, d.Step, d.UpdatedAt.Format("2006-01-02 15:04Z")),
			Fix:     "Open webhook-setup as that user to resume it (enter), or press n twice on its home screen to start over, which discards it."})
	}
	return out
}

func listOrNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}
