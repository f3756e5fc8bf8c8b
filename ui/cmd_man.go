package ui

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/webriskops/webhook-setup/core/codes"
)

type manOptions struct {
	dir string
}

// NewCmdMan builds `man --dir DIR`: one man page (section 1) per command,
// made from the same help text the commands print; the packages ship them.
// runF, when not nil, gets the checked options instead of manRun (tests).
func NewCmdMan(app *App, runF func(*manOptions) error) *cobra.Command {
	opts := &manOptions{}
	cmd := &cobra.Command{
		Use:   "man --dir DIR",
		Short: "Write the man pages (section 1) of every command into DIR",
		Example: `  webhook-setup man --dir /usr/local/share/man/man1 && mandb -q
  man webhook-setup-export`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.dir == "" {
				return codes.Errorf(codes.Usage, "man needs --dir DIR")
			}
			if runF != nil {
				return runF(opts)
			}
			return manRun(app, cmd.Root(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.dir, "dir", "", "the folder to write webhook-setup.1, webhook-setup-add.1, ... into (created if missing)")
	return cmd
}

// manRun writes the man pages of root's whole tree into opts.dir.
func manRun(app *App, root *cobra.Command, opts *manOptions) error {
	dir := opts.dir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return codes.Errorf(codes.Usage, "--dir %s: %v", dir, unwrapPathError(err))
	}
	root.DisableAutoGenTag = true // the same bytes on every build
	header := &doc.GenManHeader{Title: "WEBHOOK-SETUP", Section: "1", Source: "webhook-setup " + app.build().Version, Manual: "webhook-setup manual"}
	if err := doc.GenManTree(root, header, dir); err != nil {
		return codes.Errorf(codes.Internal, "write man pages to %s: %v", dir, err)
	}
	fmt.Fprintf(app.Err, "Wrote the man pages to %s.\n", dir)
	return nil
}
