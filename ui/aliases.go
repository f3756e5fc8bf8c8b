package ui

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/webriskops/webhook-setup/core/codes"
)

// One flag name per idea: a target is always the positional TARGET
// argument and a generated secret always --generate-secret. The spellings
// older releases had stay as hidden, deprecated aliases so scripts keep
// working; using one prints a note on stderr naming the new form.
//
// pflag's own MarkDeprecated is not used: cobra hands it the command's
// output, so its note would land on stdout, inside --json.

// deprecatedNote is the flag annotation that holds the new form.
const deprecatedNote = "webhook-setup/deprecated"

// markDeprecated hides flag name and notes its new form.
func markDeprecated(fs *pflag.FlagSet, name, use string) {
	_ = fs.MarkHidden(name)
	_ = fs.SetAnnotation(name, deprecatedNote, []string{use})
}

// noteDeprecated tells, on w, which deprecated spellings cmd's command line
// used and what replaces them.
func noteDeprecated(cmd *cobra.Command, w io.Writer) {
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if use, ok := f.Annotations[deprecatedNote]; ok {
			fmt.Fprintf(w, "note: --%s is deprecated and will go: %s\n", f.Name, use[0])
		}
	})
}

// deprecatedBool registers old as a hidden alias of the bool flag at p.
func deprecatedBool(fs *pflag.FlagSet, p *bool, old, use string) {
	fs.BoolVar(p, old, false, "deprecated: "+use)
	markDeprecated(fs, old, use)
}

// deprecatedTargetFlag registers the old --target NAME flag at p.
func deprecatedTargetFlag(fs *pflag.FlagSet, p *string) {
	fs.StringVar(p, "target", "", "deprecated: give the target as the TARGET argument")
	markDeprecated(fs, "target", "give the target as the TARGET argument instead")
}

// optionalTarget accepts at most one positional TARGET.
func optionalTarget(cmd *cobra.Command, args []string) error {
	if len(args) > 1 {
		return codes.Errorf(codes.Usage, "%s takes one TARGET, got %d arguments", cmd.CommandPath(), len(args))
	}
	return nil
}

// takesTarget gives cmd its target the one way every command that may
// name a target takes it: at most one TARGET argument, or the deprecated
// --target flag; before run, *target holds the one given.
func takesTarget(cmd *cobra.Command, target *string, run func(cmd *cobra.Command) error) {
	cmd.Args = optionalTarget
	deprecatedTargetFlag(cmd.Flags(), target)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		given, err := positionalOr(args, "target", *target)
		if err != nil {
			return err
		}
		*target = given
		return run(cmd)
	}
}

// positionalOr is the one positional argument, or else the value of the
// deprecated flag named name.
func positionalOr(args []string, name, flag string) (string, error) {
	if len(args) == 0 {
		return flag, nil
	}
	if flag != "" && flag != args[0] {
		return "", codes.Errorf(codes.Usage, "two targets given: %q and --%s %q", args[0], name, flag).
			WithFix("Give the target once, as the argument (--" + name + " is the old spelling).")
	}
	return args[0], nil
}
