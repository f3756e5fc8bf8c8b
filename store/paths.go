package store

import (
	"os"
	"path/filepath"
)

// File and environment names of the store; callers refer to these instead
// of repeating the strings.
const (
	// EnvDB names the environment variable that overrides the database
	// path. The caller resolves it together with --db and passes the result
	// to Open.
	EnvDB = "WEBHOOK_SETUP_DB"
	// EnvKeyFile names the environment variable that overrides the key file
	// path; KeyPath resolves it.
	EnvKeyFile = "WEBHOOK_SETUP_KEY_FILE"

	appDir  = "webhook-setup"
	dbFile  = "webhook-setup.db"
	keyFile = "master.key"
)

// DefaultDBPath is $XDG_DATA_HOME/webhook-setup/webhook-setup.db, or
// ~/.local/share/webhook-setup/webhook-setup.db when XDG_DATA_HOME is unset
// or relative (the XDG spec says to ignore relative values).
func DefaultDBPath() string {
	base := os.Getenv("XDG_DATA_HOME")
	if base == "" || !filepath.IsAbs(base) {
		home, err := os.UserHomeDir()
		if err != nil || home == "" {
			// No home: fall back to the current directory rather than
			// guessing a shared location.
			home = "."
		}
		base = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(base, appDir, dbFile)
}

// DefaultKeyPath is the key file that belongs to the database at dbPath:
// master.key in the same folder.
func DefaultKeyPath(dbPath string) string {
	return filepath.Join(filepath.Dir(dbPath), keyFile)
}

// KeyPath is the key file to use with the database at dbPath:
// $WEBHOOK_SETUP_KEY_FILE when set, DefaultKeyPath(dbPath) otherwise.
func KeyPath(dbPath string) string {
	if p := os.Getenv(EnvKeyFile); p != "" {
		return p
	}
	return DefaultKeyPath(dbPath)
}
