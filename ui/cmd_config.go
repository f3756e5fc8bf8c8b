package ui

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/config"
	"github.com/webriskops/webhook-setup/core/sanitize"
)

// NewCmdConfig builds `config`: show the effective settings and where each
// comes from, write a commented template, print the paths in use.
func NewCmdConfig(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show, create or locate the configuration file",
		Long: `Settings come from, in this order: a flag, the environment, the configuration
file, the built-in default. The file is $XDG_CONFIG_HOME/webhook-setup/config.toml
(~/.config/webhook-setup/config.toml when XDG_CONFIG_HOME is unset); --config
and WEBHOOK_SETUP_CONFIG name another one. A missing file is fine; a file with
an unknown key, a wrong type or an invalid value is refused with its line.`,
		Args: noArgs,
		// Runnable, so cobra checks Args: an unknown subcommand is a usage
		// error (exit 2), not this help with exit 0.
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newCmdConfigShow(app, nil), newCmdConfigInit(app, nil), newCmdConfigPath(app, nil))
	return cmd
}

type configShowOptions struct {
	json bool
}

// newCmdConfigShow builds `config show`. runF, when not nil, gets the parsed
// options instead of configShowRun (tests).
func newCmdConfigShow(app *App, runF func(*configShowOptions) error) *cobra.Command {
	opts := &configShowOptions{}
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Print every effective setting and where it came from",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			if runF != nil {
				return runF(opts)
			}
			return configShowRun(app, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, `print a JSON array of {"key","value","source","env","flag","line"}`)
	return cmd
}

func configShowRun(app *App, opts *configShowOptions) error {
	all := app.Settings.All()
	if opts.json {
		return writeJSON(app.Out, all)
	}
	tw := tabwriter.NewWriter(app.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tVALUE\tSOURCE")
	for _, v := range all {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", v.Key, sanitize.Line(v.Value), sanitize.Line(sourceText(v, app.Settings.ConfigFile.Value)))
	}
	return tw.Flush()
}

// sourceText says where v came from, naming the variable, flag or line.
func sourceText(v Value, configPath string) string {
	switch v.Source {
	case FromFlag:
		return "flag --" + v.Flag
	case FromEnv:
		switch {
		case v.Key == "ui.color" && v.Env != "NO_COLOR":
			return "env " + v.Env + " or NO_COLOR"
		case v.Key == "ui.accessible":
			return "env " + v.Env + " or TERM=dumb"
		}
		return "env " + v.Env
	case FromConfig:
		return "config " + describeSource(v, configPath)
	}
	return string(v.Source)
}

// configPaths is the JSON shape of `config path`.
type configPaths struct {
	Config       string `json:"config"`
	ConfigExists bool   `json:"config_exists"`
	DBPath       string `json:"db_path"`
	KeyFile      string `json:"key_file"`
	FallbackDir  string `json:"fallback_dir"`
}

type configPathOptions struct {
	json bool
}

// newCmdConfigPath builds `config path`. runF, when not nil, gets the parsed
// options instead of configPathRun (tests).
func newCmdConfigPath(app *App, runF func(*configPathOptions) error) *cobra.Command {
	opts := &configPathOptions{}
	cmd := &cobra.Command{
		Use:   "path",
		Short: "Print the configuration file, database, key file and fallback folder in use",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			if runF != nil {
				return runF(opts)
			}
			return configPathRun(app, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, `print {"config","config_exists","db_path","key_file","fallback_dir"}`)
	return cmd
}

func configPathRun(app *App, opts *configPathOptions) error {
	s := app.Settings
	p := configPaths{Config: s.ConfigFile.Value, DBPath: s.DBPath(), KeyFile: s.KeyFile(), FallbackDir: s.FallbackDir()}
	_, err := os.Stat(p.Config)
	p.ConfigExists = err == nil
	if opts.json {
		return writeJSON(app.Out, p)
	}
	state := "present"
	if !p.ConfigExists {
		state = "missing: built-in defaults apply; webhook-setup config init writes it"
	}
	field(app.Out, "config", fmt.Sprintf("%s (%s)", p.Config, state))
	field(app.Out, "db_path", p.DBPath)
	field(app.Out, "key_file", p.KeyFile)
	field(app.Out, "fallback_dir", p.FallbackDir)
	return nil
}

type configInitOptions struct {
	// path is the config file meant (--config, WEBHOOK_SETUP_CONFIG or the
	// default), read without reading the file.
	path  string
	force bool
}

// newCmdConfigInit builds `config init`. runF, when not nil, gets the
// parsed options instead of configInitRun (tests).
func newCmdConfigInit(app *App, runF func(*configInitOptions) error) *cobra.Command {
	opts := &configInitOptions{}
	cmd := &cobra.Command{
		Use:   "init [--force]",
		Short: "Write a commented configuration file with every setting and its default",
		Args:  noArgs,
		// init replaces the file, so it must run when that file is broken:
		// it reads no settings, only which file is meant.
		PersistentPreRunE: func(*cobra.Command, []string) error {
			app.prepared = true
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.path = app.configFile(cmd).Value
			if runF != nil {
				return runF(opts)
			}
			return configInitRun(app, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.force, "force", false, "replace an existing file")
	return cmd
}

func configInitRun(app *App, opts *configInitOptions) error {
	text, err := configTemplate(opts.path)
	if err != nil {
		return err
	}
	if err := writeNewFile(opts.path, text, opts.force); err != nil {
		return err
	}
	fmt.Fprintf(app.Out, "Wrote %s: every setting is commented out with its default.\n", sanitize.Line(opts.path))
	return nil
}

// configTemplate is the commented config file: every setting of
// settingDefs with its built-in default, environment variable and flag.
func configTemplate(path string) (string, error) {
	defaults, err := resolveSettings(nil, func(string) string { return "" }, Value{Key: "config", Value: path, Source: FromDefault}, nil)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(`# webhook-setup configuration (written by: webhook-setup config init).
#
# Precedence, the same for every setting: flag > environment > this file >
# built-in default. Each setting below is commented out with its built-in
# default; remove the "# " before the key to set it. An unknown key, a wrong
# type or an invalid value is refused with its line, and the command stops.
# Durations are strings such as "30s", "5m" or "1h".
`)
	section := ""
	for _, d := range settingDefs {
		sec, key := "", d.key
		if i := strings.LastIndex(d.key, "."); i >= 0 {
			sec, key = d.key[:i], d.key[i+1:]
		}
		if sec != section {
			fmt.Fprintf(&b, "\n[%s]\n", sec)
			section = sec
		}
		b.WriteString("\n")
		if d.doc != "" {
			fmt.Fprintf(&b, "# %s\n", d.doc)
		}
		var from []string
		if d.env != "" {
			from = append(from, "env "+d.env)
		}
		if d.flag != "" {
			from = append(from, "flag --"+d.flag)
		}
		if len(from) > 0 {
			fmt.Fprintf(&b, "# (%s)\n", strings.Join(from, ", "))
		}
		fmt.Fprintf(&b, "# %s = %s\n", key, tomlValue(d.kind, defaults.Get(d.key).Value))
	}
	return b.String(), nil
}

// tomlValue writes v as TOML for a setting of kind k.
func tomlValue(k kind, v string) string {
	switch k {
	case kindInt, kindBool:
		return v
	}
	return config.Quote(v)
}

// writeNewFile writes text to path (mode 0600, folders 0700). Without
// force an existing file is refused, and the file is created exclusively so
// one that appears meanwhile is not replaced either; with force the text is
// written beside the file and renamed over it, so a reader never sees half.
func writeNewFile(path, text string, force bool) error {
	exists := func() error {
		return codes.Errorf(codes.Usage, "%s exists already", path).
			WithFix("Add --force to replace it, or name another file.")
	}
	fail := func(err error) error {
		return codes.Errorf(codes.Internal, "write %s: %v", path, unwrapPathError(err))
	}
	// A path that cannot be created (a file where a folder should be, no
	// permission) is the operator's to fix, not an internal error.
	badPath := func(err error) error {
		return codes.Errorf(codes.Usage, "cannot create %s: %v", path, unwrapPathError(err)).
			WithFix("Name a file in a folder you can write to.")
	}
	if _, err := os.Lstat(path); err == nil && !force {
		return exists()
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return badPath(err)
	}
	name := path
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	var f *os.File
	var err error
	if force {
		f, err = os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	} else {
		f, err = os.OpenFile(path, flags, 0o600)
	}
	if errors.Is(err, fs.ErrExist) {
		return exists()
	}
	if err != nil {
		return badPath(err)
	}
	name = f.Name()
	_, err = f.WriteString(text)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && force {
		err = os.Rename(name, path)
	}
	if err != nil {
		os.Remove(name)
		return fail(err)
	}
	return nil
}
