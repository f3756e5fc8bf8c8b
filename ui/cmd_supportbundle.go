package ui

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/doctor"
	"github.com/webriskops/webhook-setup/core/urlsafe"
	"github.com/webriskops/webhook-setup/store"
)

type supportBundleOptions struct {
	out    string
	events int
}

// NewCmdSupportBundle builds `support-bundle --out FILE.tar.gz`: what a
// support request needs, redacted, and proved free of stored secrets. runF,
// when not nil, gets the checked options instead of supportBundleRun.
func NewCmdSupportBundle(app *App, runF func(*supportBundleOptions) error) *cobra.Command {
	opts := &supportBundleOptions{}
	cmd := &cobra.Command{
		Use:   "support-bundle --out FILE.tar.gz [--audit-events 200]",
		Short: "Write a redacted tar.gz for a support request (refused if any stored secret or URL would be in it)",
		Long: `support-bundle writes a new tar.gz (mode 0600, never over an existing file)
with the version, the effective settings, doctor and status as JSON, the
targets with redacted URLs, the last audit events, delivery counts and the
last failures' codes, and environment facts (OS, terminal, locale). Before
anything is written, every byte is scanned for each stored signing secret
(current and grace), every sealed credential, every full webhook URL and
its token segments, and the store key; one hit refuses the bundle. MANIFEST
lists what each file holds, with its size and SHA-256.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.out == "" {
				return codes.Errorf(codes.Usage, "support-bundle needs --out FILE.tar.gz").
					WithFix("Name a new file: webhook-setup support-bundle --out support.tar.gz")
			}
			if opts.events < 1 || opts.events > 10000 {
				return codes.Errorf(codes.Usage, "--audit-events %d is outside 1..10000", opts.events)
			}
			if runF != nil {
				return runF(opts)
			}
			return supportBundleRun(cmd.Context(), app, opts)
		},
	}
	cmd.Flags().StringVar(&opts.out, "out", "", "the new file to write (.tar.gz)")
	cmd.Flags().IntVar(&opts.events, "audit-events", 200, "how many of the latest audit events to include (1 to 10000)")
	return cmd
}

// bundleFile is one file of the bundle.
type bundleFile struct {
	name, holds string
	data        []byte
}

func supportBundleRun(ctx context.Context, app *App, opts *supportBundleOptions) error {
	out, events := opts.out, opts.events
	if _, err := os.Lstat(out); err == nil {
		return codes.Errorf(codes.FileUnsafe, "--out %s exists already (a file or a link); it is never overwritten or followed", out).
			WithFix("Name a new file, or remove the old one first; nothing was changed.")
	}
	files, needles, err := app.bundleFiles(ctx, events)
	if err != nil {
		return err
	}
	files = append(files, manifest(files, app.Now()))
	archive, err := tarGz(files, app.Now())
	if err != nil {
		return err
	}
	// The scan covers each file as written and the archive itself.
	for _, f := range files {
		if what := findLeak(f.data, needles); what != "" {
			return leakErr(f.name, what)
		}
	}
	if what := findLeak(archive, needles); what != "" {
		return leakErr("the compressed archive", what)
	}
	if err := writeFreshFile("--out", out, archive); err != nil {
		return err
	}
	fmt.Fprintf(app.Out, "Wrote %s (%d bytes, %d files); it holds no stored secret, credential, webhook URL or store key (scanned for %d values). MANIFEST lists its content.\n",
		out, len(archive), len(files), len(needles))
	return nil
}

func leakErr(file, what string) error {
	return codes.Errorf(codes.BundleLeak, "the support bundle was not written: %s would hold a stored %s", file, what)
}

// bundleFiles gathers the content of the bundle and the values that must
// not be in it.
func (a *App) bundleFiles(ctx context.Context, events int) ([]bundleFile, []needle, error) {
	var files []bundleFile
	addJSON := func(name, holds string, v any) error {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		files = append(files, bundleFile{name: name, holds: holds, data: append(b, '\n')})
		return nil
	}
	files = append(files, bundleFile{name: "version.txt", holds: "the webhook-setup version and the Go runtime",
		data: []byte(fmt.Sprintf("webhook-setup %s\n%s %s/%s\n", a.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH))})
	if err := addJSON("config.json", "the effective settings: key, value and where each came from (flag, env, config file, default)", a.Settings.All()); err != nil {
		return nil, nil, err
	}
	report, err := a.doctorReport(ctx, doctorOptions{Resolver: a.Resolver})
	if err != nil {
		return nil, nil, err
	}
	if err := addJSON("doctor.json", "doctor --json without --network: a verdict and fix per check of the store and every target", report); err != nil {
		return nil, nil, err
	}
	if err := addJSON("environment.json", "the OS, architecture, terminal and locale variables, and whether this runs in an SSH session", environmentFacts(a)); err != nil {
		return nil, nil, err
	}
	var needles []needle
	if storeUnopenable(report) {
		// The store is not opened while its paths are unsafe: the bundle
		// holds what doctor says and nothing read from the store.
		return files, nil, nil
	}
	err = a.withStore(func(s *store.Store) error {
		sealed, err := s.SealedValues(ctx)
		if err != nil {
			return err
		}
		for _, v := range sealed {
			needles = append(needles, needlesOf(v)...)
		}
		targets, err := s.Targets(ctx, 0, 0)
		if err != nil {
			return err
		}
		views := make([]targetView, len(targets))
		items := make([]statusItem, len(targets))
		for i, t := range targets {
			views[i] = a.targetView(t, false)
			r := core.Evaluate(t)
			items[i] = statusItem{Name: t.Name, Ready: r.Ready, States: r.States, Blocked: r.Blocked}
		}
		if err := addJSON("status.json", "status --json: the six readiness states of every target and what blocks it", items); err != nil {
			return err
		}
		if err := addJSON("targets.json", "show --json of every target: webhook URLs redacted, signing as algorithm and fingerprint only", views); err != nil {
			return err
		}
		audit, err := s.Audit(ctx, events)
		if err != nil {
			return err
		}
		if err := addJSON("audit.json", fmt.Sprintf("the latest %d audit events, newest first (details are redacted when written)", events), audit); err != nil {
			return err
		}
		facts, err := s.DeliveryFactsByTarget(ctx, 10)
		if err != nil {
			return err
		}
		return addJSON("deliveries.json", "delivery counts by target and status, the last failures' codes and fallback bundle paths (no bodies)", facts)
	})
	if err != nil {
		return nil, nil, err
	}
	return files, needles, nil
}

// storeUnopenable reports whether doctor left the store closed (its
// paths fail the ownership rules, or it did not open).
func storeUnopenable(r doctor.Report) bool {
	for _, c := range r.Checks {
		if c.ID == "store.open" {
			return true
		}
	}
	return false
}

// environmentFacts are the facts of the machine a support person asks
// for first. Variables are listed by name and value only for the locale
// and terminal; nothing else from the environment is read.
func environmentFacts(a *App) map[string]any {
	env := map[string]string{}
	for _, k := range []string{"TERM", "COLORTERM", "LANG", "LC_ALL", "LC_CTYPE", "NO_COLOR", "ACCESSIBLE"} {
		if v := a.Getenv(k); v != "" {
			env[k] = v
		}
	}
	host, _ := os.Hostname()
	return map[string]any{
		"os": runtime.GOOS, "arch": runtime.GOARCH, "go": runtime.Version(),
		"hostname":    host,
		"stdin_tty":   isTerminal(a.In),
		"stdout_tty":  isTerminal(a.Out),
		"ssh_session": a.Getenv("SSH_CONNECTION") != "" || a.Getenv("SSH_CLIENT") != "",
		"uid":         os.Getuid(),
		"variables":   env,
		"timezone":    time.Now().Location().String(),
	}
}

// needle is one value the bundle must not hold.
type needle struct{ what, value string }

// needlesOf is a sealed value in every form it could take in the bundle:
// as is and JSON-escaped. A webhook URL is also scanned for without its
// scheme and by each path segment and query value that looks like a token
// (tokenLike); a URL that redaction leaves whole has no such piece, holds
// no token, and is not scanned for (its host is shown anyway).
func needlesOf(v store.SealedValue) []needle {
	var out []needle
	add := func(s string) {
		out = append(out, needle{v.What, s})
		if b, err := json.Marshal(s); err == nil {
			if esc := string(b[1 : len(b)-1]); esc != s {
				out = append(out, needle{v.What, esc})
			}
		}
	}
	if v.What != "webhook URL" {
		if v.Value != "" {
			add(v.Value)
		}
		return out
	}
	u, err := url.Parse(v.Value)
	if err != nil || urlsafe.Redact(v.Value) == v.Value {
		return nil
	}
	add(v.Value)
	add(strings.TrimPrefix(v.Value, u.Scheme+"://"))
	for _, seg := range strings.Split(u.EscapedPath(), "/") {
		if tokenLike(seg) {
			add(seg)
		}
	}
	for _, vals := range u.Query() {
		for _, q := range vals {
			if tokenLike(q) {
				add(q)
			}
		}
	}
	return out
}

// tokenLike reports whether a piece of a URL may be its hook token: ten
// characters or more, or five or more mixing letters and digits (Zapier's
// are seven, like abc1d2e). Shorter pieces and plain words ("hooks",
// "tickets") are not scanned for: target names and redacted URLs in the
// bundle hold such words for other reasons.
func tokenLike(s string) bool {
	n := utf8.RuneCountInString(s)
	if n >= 10 {
		return true
	}
	return n >= 5 && strings.ContainsAny(s, "0123456789") && strings.IndexFunc(s, unicode.IsLetter) >= 0
}

// findLeak returns what kind of stored value data holds, or "".
func findLeak(data []byte, needles []needle) string {
	for _, n := range needles {
		if bytes.Contains(data, []byte(n.value)) {
			return n.what
		}
	}
	return ""
}

// manifest lists every file of the bundle with what it holds, its size
// and SHA-256.
func manifest(files []bundleFile, now time.Time) bundleFile {
	var b strings.Builder
	fmt.Fprintf(&b, "webhook-setup support bundle, made %s\n", now.UTC().Format(time.RFC3339))
	b.WriteString("Every file was scanned for stored secrets, credentials, webhook URLs and the store key before writing.\n\n")
	sorted := append([]bundleFile(nil), files...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	for _, f := range sorted {
		sum := sha256.Sum256(f.data)
		fmt.Fprintf(&b, "%s  %d bytes  sha256 %s\n    %s\n", f.name, len(f.data), hex.EncodeToString(sum[:]), f.holds)
	}
	return bundleFile{name: "MANIFEST", holds: "this list", data: []byte(b.String())}
}

// tarGz packs files, MANIFEST first, into a gzip-compressed tar.
func tarGz(files []bundleFile, now time.Time) ([]byte, error) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	order := append([]bundleFile{files[len(files)-1]}, files[:len(files)-1]...)
	for _, f := range order {
		hdr := &tar.Header{Name: "webhook-setup-support/" + f.name, Mode: 0o600, Size: int64(len(f.data)), ModTime: now.UTC(), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
