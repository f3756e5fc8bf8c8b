package ui

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/webriskops/webhook-setup/core/codes"
)

// NewCmdMan builds `man --dir DIR`: one man page (section 1) per command,
// made from the same help text the commands print; the packages ship them.
func NewCmdMan(app *App) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "man --dir DIR",
		Short: "Write the man pages (section 1) of every command into DIR",
		Example: `  webhook-setup man --dir /usr/local/share/man/man1 && mandb -q
  man webhook-setup-export`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" {
				return codes.Errorf(codes.Usage, "man needs --dir DIR")
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return codes.Errorf(codes.Usage, "--dir %s: %v", dir, unwrapPathError(err))
			}
			root := cmd.Root()
			root.DisableAutoGenTag = true // the same bytes on every build
			header := &doc.GenManHeader{Title: "WEBHOOK-SETUP", Section: "1", Source: "webhook-setup " + app.build().Version, Manual: "webhook-setup manual"}
			if err := doc.GenManTree(root, header, dir); err != nil {
				return codes.Errorf(codes.Internal, "write man pages to %s: %v", dir, err)
			}
			fmt.Fprintf(app.Err, "Wrote the man pages to %s.\n", dir)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "the folder to write webhook-setup.1, webhook-setup-add.1, ... into (created if missing)")
	return cmd
}
