package ui

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/webriskops/webhook-setup/core/config"
	"github.com/webriskops/webhook-setup/core/sanitize"
)

func init() {
	extraCommands = append(extraCommands, NewCmdExportConfig)
}

type exportOptions struct {
	out   string
	force bool
}

// NewCmdExportConfig builds `export-config`: every saved target as a
// target file for apply, without secrets.
func NewCmdExportConfig(app *App) *cobra.Command {
	opts := &exportOptions{}
	cmd := &cobra.Command{
		Use:   "export-config [--out FILE]",
		Short: "Write every saved target as a TOML target file for apply (no secrets)",
		Long: `export-config writes every saved target as [[target]] tables that apply reads
back. No secret is written: each target names a secret_file placeholder
(secrets/NAME.secret, relative to the file) with the fingerprint of the secret
that belongs there. Once those files hold the secrets, apply -f FILE plans no
change. The file holds the full webhook URLs, which are bearer credentials, so
--out writes it with mode 0600.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return exportRun(cmd.Context(), app, opts)
		},
	}
	cmd.Flags().StringVar(&opts.out, "out", "", "write to this file (mode 0600) instead of standard output")
	cmd.Flags().BoolVar(&opts.force, "force", false, "with --out: replace an existing file")
	return cmd
}

func exportRun(ctx context.Context, app *App, opts *exportOptions) error {
	st, targets, err := openIfExists(ctx, app)
	if err != nil {
		return err
	}
	if st != nil {
		st.Close()
	}
	text := config.Export(targets)
	if opts.out == "" {
		_, err := app.Out.Write(text)
		return err
	}
	if err := writeNewFile(opts.out, string(text), opts.force); err != nil {
		return err
	}
	fmt.Fprintf(app.Err, "Wrote %s to %s. Before apply, put each target's secret in the secret_file it names.\n",
		countNoun(len(targets), "target"), sanitize.Line(opts.out))
	return nil
}
