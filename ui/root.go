package ui

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/webriskops/webhook-setup/core/codes"
)

// NewRootCmd builds the command tree: every command is listed here, each
// NewCmdX(app, runF) with runF nil (the real run; tests pass one that
// captures the parsed options). config is a group of subcommands only, so
// it takes no runF. The wizard opens when no command is given.
func NewRootCmd(app *App) *cobra.Command {
	root := newRoot(app)
	root.AddCommand(
		NewCmdAdd(app, nil),
		NewCmdList(app, nil),
		NewCmdShow(app, nil),
		NewCmdResolveAs(app, nil),
		NewCmdStatus(app, nil),
		NewCmdCheckURL(app, nil),
		NewCmdRotateSecret(app, nil),
		NewCmdDisconnect(app, nil),
		NewCmdAudit(app, nil),
		NewCmdVersion(app, nil),
		NewCmdCodes(app, nil),
		NewCmdApply(app, nil),
		NewCmdConfig(app),
		NewCmdDeliveries(app, nil),
		NewCmdDoctor(app, nil),
		NewCmdExport(app, nil),
		NewCmdExportConfig(app, nil),
		NewCmdMan(app, nil),
		NewCmdReceive(app, nil),
		NewCmdRecipe(app, nil),
		NewCmdSchema(app, nil),
		NewCmdSupportBundle(app, nil),
		NewCmdTestSend(app, nil),
		NewCmdVerify(app, nil),
	)
	addCompletions(root, app)
	return root
}

// newRoot builds the root command without its subcommands: the global
// flags, the settings every command reads (prepare) and the usage code of
// a flag error. Tests hang one command under it to parse a command line
// exactly as the binary does.
func newRoot(app *App) *cobra.Command {
	var wizardResolve resolveFlag
	root := &cobra.Command{
		Use:   "webhook-setup",
		Short: "Connect WebRiskOps ticket exports to a signed, safe webhook target",
		Long: `webhook-setup connects WebRiskOps ticket exports to an automation endpoint you own
(Zapier, Make, n8n or an internal HTTPS receiver), signs every delivery with
HMAC-SHA256 and hands exports off safely, with a portable fallback.

Run it without a command to open the guided setup wizard.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       app.build().Version,
		Args:          noArgs,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := app.prepare(cmd); err != nil {
				return err
			}
			noteDeprecated(cmd, app.Err)
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return app.runWizard(cmd.Context(), &wizardResolve)
		},
	}
	// --resolve for the wizard is a flag of the root command itself (not
	// persistent), so each subcommand keeps its own.
	wizardResolve.register(root.Flags())
	pf := root.PersistentFlags()
	pf.String("db", "", "SQLite database file (env WEBHOOK_SETUP_DB)")
	pf.String("config", "", "configuration file (env WEBHOOK_SETUP_CONFIG)")
	pf.Bool("no-color", false, "draw without colour (NO_COLOR is honoured too)")
	pf.Bool("accessible", false, "use plain prompts for screen readers (env ACCESSIBLE=1)")
	root.SetVersionTemplate(app.build().String() + "\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return codes.Errorf(codes.Usage, "%v", err)
	})
	return root
}

// Run executes the command line and returns the process exit code. Errors
// are printed here, once, in the form the command's --json asks for.
func Run(app *App, args []string) int {
	hardenProcess()
	return execute(app, NewRootCmd(app), args)
}

// execute runs the command line over root and returns the exit code,
// having printed any error (Run's whole job but hardening; tests run it
// over a root holding the one command they parse).
func execute(app *App, root *cobra.Command, args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root.SetArgs(args)
	root.SetIn(app.In)
	root.SetOut(app.Out)
	root.SetErr(app.Err)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return codes.ExitOK
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		err = codes.Errorf(codes.Interrupted, "interrupted")
	}
	if !app.prepared {
		// cobra refused the command line before any command ran.
		if _, ok := err.(*codes.Error); !ok {
			err = codes.Errorf(codes.Usage, "%v", err)
		}
	}
	var silent *silentError
	if errors.As(err, &silent) {
		return codes.Info(silent.code).Exit
	}
	printError(app, wantsJSON(cmd) || (!app.prepared && hasJSONArg(args)), err)
	return codes.ExitCode(err)
}

// hasJSONArg finds --json in a command line that failed to parse, so even a
// usage error answers in the form the script asked for.
func hasJSONArg(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == "--json" || a == "--json=true" {
			return true
		}
	}
	return false
}

// suggestDistance is how many edits apart a typed name may be from a
// command to be suggested (cobra's own default).
const suggestDistance = 2

// noArgs refuses positional arguments with a usage error. For a command
// with subcommands the argument was most likely a mistyped one. cobra only
// suggests names from its legacyArgs (commands without Args of their own),
// which is also where it defaults SuggestionsMinimumDistance to 2; with
// Args set, SuggestionsFor alone would match prefixes only. So the "did you
// mean" is added here, with the distance set.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		e := codes.Errorf(codes.Usage, "unknown command %q for %q", args[0], cmd.CommandPath())
		if cmd.SuggestionsMinimumDistance <= 0 {
			cmd.SuggestionsMinimumDistance = suggestDistance
		}
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			e.Reason += "; did you mean " + strings.Join(s, " or ") + "?"
			e.Fix = "Run " + cmd.CommandPath() + " " + s[0] + " --help, or " + cmd.CommandPath() + " --help for every command."
		}
		return e
	}
	return nil
}

// exactArgs requires n positional arguments, naming them in the error.
func exactArgs(n int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return codes.Errorf(codes.Usage, "%s needs %s", cmd.CommandPath(), names)
		}
		return nil
	}
}
