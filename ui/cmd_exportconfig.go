package ui

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/config"
	"github.com/webriskops/webhook-setup/core/sanitize"
)

type exportOptions struct {
	out       string
	force     bool
	urlFiles  string
	revealURL bool
}

// NewCmdExportConfig builds `export-config`: every saved target as a
// target file for apply, without credentials. runF, when not nil, gets the
// checked options instead of exportRun (tests).
func NewCmdExportConfig(app *App, runF func(*exportOptions) error) *cobra.Command {
	opts := &exportOptions{}
	cmd := &cobra.Command{
		Use:   "export-config [--out FILE [--url-files DIR]] [--reveal-url]",
		Short: "Write every saved target as a TOML target file for apply (no secrets, no URLs)",
		Long: `export-config writes every saved target as [[target]] tables that apply reads
back, without credentials, so the file can be kept in version control:

- each target names a secret_file placeholder (secrets/NAME.secret, relative to
  the file) with the fingerprint of the secret that belongs there;
- webhook URLs are bearer credentials, so each target names a webhook_url_file
  (secrets/NAME.url) with the redacted URL in a comment. With --url-files DIR
  the full URLs are written to new files DIR/NAME.url (mode 0600, never over an
  existing file) and the placeholders point at them.

Once those files hold the secrets and URLs, apply -f FILE plans no change.
--reveal-url writes each full webhook_url into the file instead; keep such a
file private. --out writes the file with mode 0600.`,
		Example: `  webhook-setup export-config --out targets.toml --url-files secrets
  webhook-setup export-config --reveal-url --out private-targets.toml`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return exportRun(cmd.Context(), app, opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.out, "out", "", "write to this file (mode 0600) instead of standard output")
	fs.BoolVar(&opts.force, "force", false, "with --out: replace an existing file (URL files are never replaced)")
	fs.StringVar(&opts.urlFiles, "url-files", "", "with --out: write each full webhook URL to a new file DIR/NAME.url (0600) that the target file names")
	fs.BoolVar(&opts.revealURL, "reveal-url", false, "write the full webhook URLs into the file (they are bearer credentials)")
	return cmd
}

// validate refuses flag combinations that cannot mean anything.
func (opts *exportOptions) validate() error {
	switch {
	case opts.urlFiles != "" && opts.revealURL:
		return codes.Errorf(codes.Usage, "--url-files and --reveal-url do not go together").
			WithFix("Use --url-files DIR to keep the URLs in files beside the target file, or --reveal-url to write them into it.")
	case opts.urlFiles != "" && opts.out == "":
		return codes.Errorf(codes.Usage, "--url-files needs --out FILE").
			WithFix("Name the target file with --out: the webhook_url_file paths are written relative to it.")
	}
	return nil
}

func exportRun(ctx context.Context, app *App, opts *exportOptions) error {
	if opts.out != "" && !opts.force {
		// Before any URL file is written, so a refusal changes nothing.
		if _, err := os.Lstat(opts.out); err == nil {
			return codes.Errorf(codes.Usage, "%s exists already", opts.out).
				WithFix("Add --force to replace it, or name another file.")
		}
	}
	st, targets, err := openIfExists(ctx, app)
	if err != nil {
		return err
	}
	if st != nil {
		st.Close()
	}
	eo := config.ExportOptions{RevealURL: opts.revealURL}
	var urlFiles *writtenURLFiles
	if opts.urlFiles != "" {
		if urlFiles, err = writeURLFiles(opts.urlFiles, opts.out, targets); err != nil {
			return err
		}
		eo.URLFiles = urlFiles.rel
	}
	text := config.Export(targets, eo)
	if opts.out == "" {
		_, err := app.Out.Write(text)
		return err
	}
	if err := writeNewFile(opts.out, string(text), opts.force); err != nil {
		urlFiles.remove()
		return err
	}
	switch {
	case urlFiles != nil:
		fmt.Fprintf(app.Err, "Wrote %s to %s and their webhook URLs to %s (0600). Before apply, put each target's secret in the secret_file it names. Keep %s and the secret files out of version control.\n",
			countNoun(len(targets), "target"), sanitize.Line(opts.out), sanitize.Line(opts.urlFiles), sanitize.Line(opts.urlFiles))
	case opts.revealURL:
		fmt.Fprintf(app.Err, "Wrote %s to %s, with their full webhook URLs: keep it private. Before apply, put each target's secret in the secret_file it names.\n",
			countNoun(len(targets), "target"), sanitize.Line(opts.out))
	default:
		fmt.Fprintf(app.Err, "Wrote %s to %s. Before apply, put each target's secret and webhook URL in the secret_file and webhook_url_file it names.\n",
			countNoun(len(targets), "target"), sanitize.Line(opts.out))
	}
	return nil
}
