package ui

import (
	"errors"
	"io"
	"io/fs"
	"os"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/config"
)

// readConfigFile reads the config file at path: its settings by key
// ("db_path", "delivery.max_attempts", ...) with their lines, in the format
// settingDefs declares. A missing file is no error; an unreadable one, or
// one with a syntax error, an unknown key or a wrong type, is a
// codes.ConfigInvalid error naming the key and line. Ranges and formats of
// the values are checked by resolveSettings.
func readConfigFile(path string) (map[string]config.Setting, error) {
	data, err := readLimited(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, codes.Errorf(codes.ConfigInvalid, "cannot read the config file %s: %v", path, unwrapPathError(err)).
			WithFix("Check the path and its permissions, or name another file with --config or WEBHOOK_SETUP_CONFIG.")
	}
	return config.ParseSettings(data, path, settingsSchema())
}

// settingsSchema is the config file's format, read from settingDefs so the
// two cannot drift: durations and paths are TOML strings.
func settingsSchema() map[string]config.Kind {
	schema := make(map[string]config.Kind, len(settingDefs))
	for _, d := range settingDefs {
		schema[d.key] = tomlKind(d.kind)
	}
	return schema
}

func tomlKind(k kind) config.Kind {
	switch k {
	case kindInt:
		return config.Integer
	case kindBool:
		return config.Boolean
	}
	return config.String
}

// readLimited reads a file of at most config.MaxFileSize bytes; a larger
// one is read only that far plus one byte, for the parser to refuse.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, config.MaxFileSize+1))
}
