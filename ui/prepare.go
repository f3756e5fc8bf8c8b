package ui

import (
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// prepare resolves the settings once the command line has parsed, before
// the command runs. Nothing here touches the store.
func (a *App) prepare(cmd *cobra.Command) error {
	cfg := a.configFile(cmd)
	values, err := readConfigFile(cfg.Value)
	if err != nil {
		return err
	}
	s, err := resolveSettings(cmd.Flags(), a.Getenv, cfg, values)
	if err != nil {
		return err
	}
	if f := cmd.Flags().Lookup("no-color"); f != nil && f.Changed && f.Value.String() == "true" {
		s.values["ui.color"] = Value{Key: "ui.color", Value: "false", Source: FromFlag, Flag: "no-color", Env: "NO_COLOR"}
	}
	a.Settings = s
	a.prepared = true
	return nil
}

// configFile says which config file is in use: --config, then
// WEBHOOK_SETUP_CONFIG, then the default path.
func (a *App) configFile(cmd *cobra.Command) Value {
	cfg := Value{Key: "config", Env: "WEBHOOK_SETUP_CONFIG", Flag: "config"}
	if f := cmd.Flags().Lookup("config"); f != nil && f.Changed {
		cfg.Value, cfg.Source = f.Value.String(), FromFlag
	} else if e := a.Getenv("WEBHOOK_SETUP_CONFIG"); e != "" {
		cfg.Value, cfg.Source = e, FromEnv
	} else {
		cfg.Value, cfg.Source = defaultConfigPath(a.Getenv), FromDefault
	}
	return cfg
}

// defaultConfigPath is $XDG_CONFIG_HOME/webhook-setup/config.toml, or
// ~/.config/webhook-setup/config.toml when XDG_CONFIG_HOME is unset or
// relative (the XDG spec says to ignore relative values).
func defaultConfigPath(getenv func(string) string) string {
	base := getenv("XDG_CONFIG_HOME")
	if base == "" || !filepath.IsAbs(base) {
		home, err := os.UserHomeDir()
		if err != nil {
			home = "."
		}
		base = filepath.Join(home, ".config")
	}
	return filepath.Join(base, "webhook-setup", "config.toml")
}
