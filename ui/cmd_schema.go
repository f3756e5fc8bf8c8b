package ui

import (
	"bytes"

	"github.com/spf13/cobra"

	"github.com/webriskops/webhook-setup/core/payload"
)

// schemaOptions is empty: schema takes no flag of its own. It keeps the
// shape of every other command, so a test can run the command line alone.
type schemaOptions struct{}

// NewCmdSchema builds `schema`: the JSON Schema of every delivery body.
// runF, when not nil, runs instead of schemaRun (tests).
func NewCmdSchema(app *App, runF func(*schemaOptions) error) *cobra.Command {
	opts := &schemaOptions{}
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of the delivery body (ticket-export.webhook.v1)",
		Long: `schema prints the JSON Schema (draft 2020-12) that every delivery body
follows; its $defs/ticket is the shape of one ticket in an export --ticket
input. Receivers validate against it and answer 400 when a body fails.`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			if runF != nil {
				return runF(opts)
			}
			return schemaRun(app)
		},
	}
}

func schemaRun(app *App) error {
	s := payload.Schema()
	if _, err := app.Out.Write(s); err != nil {
		return err
	}
	if !bytes.HasSuffix(s, []byte("\n")) {
		_, err := app.Out.Write([]byte("\n"))
		return err
	}
	return nil
}
