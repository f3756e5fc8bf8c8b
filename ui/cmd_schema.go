package ui

import (
	"bytes"

	"github.com/spf13/cobra"

	"github.com/webriskops/webhook-setup/core/payload"
)

// NewCmdSchema builds `schema`: the JSON Schema of every delivery body.
func NewCmdSchema(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of the delivery body (ticket-export.webhook.v1)",
		Long: `schema prints the JSON Schema (draft 2020-12) that every delivery body
follows; its $defs/ticket is the shape of one ticket in an export --ticket
input. Receivers validate against it and answer 400 when a body fails.`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			s := payload.Schema()
			if _, err := app.Out.Write(s); err != nil {
				return err
			}
			if !bytes.HasSuffix(s, []byte("\n")) {
				_, err := app.Out.Write([]byte("\n"))
				return err
			}
			return nil
		},
	}
}
