package ui

import (
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/config"
	"github.com/webriskops/webhook-setup/store"
)

// Source says where a setting's effective value came from.
type Source string

// Sources in precedence order: a flag beats the environment, which beats
// the config file, which beats the built-in default.
const (
	FromFlag    Source = "flag"
	FromEnv     Source = "env"
	FromConfig  Source = "config"
	FromDefault Source = "default"
)

// Value is one effective setting.
type Value struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Source Source `json:"source"`
	Env    string `json:"env,omitempty"`
	Flag   string `json:"flag,omitempty"`
	// Line is the config file line of a value from the config file.
	Line int `json:"line,omitempty"`
}

// settingDef declares one setting: its config key, environment variable,
// flag (looked up on the running command), kind and default.
type settingDef struct {
	key, env, flag string
	doc            string // one line for the config template
	kind           kind
	def            func(s *Settings) string
	check          func(string) error
}

type kind int

const (
	kindString kind = iota
	kindPath
	kindInt
	kindDuration
	kindBool
)

// settingDefs lists every setting once; config show, config init and the
// resolver all read this table. Order matters: defaults may refer to
// settings resolved before them.
var settingDefs = []settingDef{
	{key: "db_path", doc: "SQLite database of targets, encrypted credentials, outbox and audit log.", env: "WEBHOOK_SETUP_DB", flag: "db", kind: kindPath,
		def: func(*Settings) string { return store.DefaultDBPath() }},
	{key: "key_file", doc: "Key that encrypts the stored signing secrets (default: master.key beside the database).", env: "WEBHOOK_SETUP_KEY_FILE", kind: kindPath,
		def: func(s *Settings) string { return filepath.Join(filepath.Dir(s.DBPath()), "master.key") }},
	{key: "fallback_dir", doc: "Folder for portable fallback bundles.", env: "WEBHOOK_SETUP_FALLBACK_DIR", flag: "fallback-dir", kind: kindPath,
		def: func(s *Settings) string { return filepath.Join(filepath.Dir(s.DBPath()), "fallback") }},
	{key: "defaults.deployment_mode", doc: "Deployment mode of new targets: cloud, self-hosted or webhook-only.", env: "WEBHOOK_SETUP_DEPLOYMENT_MODE", kind: kindString,
		def: func(*Settings) string { return string(core.ModeCloud) }, check: checkMode},
	{key: "defaults.private_network_policy", doc: "Private-network policy of new targets: deny or allowlist (self-hosted only).", env: "WEBHOOK_SETUP_PRIVATE_NETWORK_POLICY", kind: kindString,
		def: func(*Settings) string { return string(core.PolicyDeny) }, check: checkPolicy},
	{key: "delivery.max_attempts", doc: "Attempts per delivery before it is given up (1 to 100).", env: "WEBHOOK_SETUP_MAX_ATTEMPTS", flag: "max-attempts", kind: kindInt,
		def: func(*Settings) string { return "8" }, check: intBetween(1, 100)},
	{key: "delivery.wait", doc: "How long a send waits for its delivery to finish (0s to 24h).", env: "WEBHOOK_SETUP_WAIT", flag: "wait", kind: kindDuration,
		def: func(*Settings) string { return "60s" }, check: durationBetween(0, 24*time.Hour)},
	{key: "delivery.connect_timeout", doc: "Time allowed to connect to the receiver (100ms to 1m).", env: "WEBHOOK_SETUP_CONNECT_TIMEOUT", kind: kindDuration,
		def: func(*Settings) string { return "5s" }, check: durationBetween(100*time.Millisecond, time.Minute)},
	{key: "delivery.attempt_timeout", doc: "Time allowed for one attempt, connection included (1s to 5m).", env: "WEBHOOK_SETUP_ATTEMPT_TIMEOUT", kind: kindDuration,
		def: func(*Settings) string { return "15s" }, check: durationBetween(time.Second, 5*time.Minute)},
	{key: "delivery.max_backoff", doc: "Longest wait between two attempts (1s to 24h).", env: "WEBHOOK_SETUP_MAX_BACKOFF", kind: kindDuration,
		def: func(*Settings) string { return "10m" }, check: durationBetween(time.Second, 24*time.Hour)},
	{key: "delivery.rate_limit", doc: "Deliveries allowed per period for targets without their own rate limit, e.g. \"300/10s\" (empty: each provider's default).", env: "WEBHOOK_SETUP_RATE_LIMIT", kind: kindString,
		def: func(*Settings) string { return "" }, check: checkRate},
	{key: "rotation.max_age", doc: "Age after which doctor asks to rotate a signing secret (1h to 8760h; 2160h is 90 days).", env: "WEBHOOK_SETUP_ROTATION_MAX_AGE", kind: kindDuration,
		def: func(*Settings) string { return "2160h" }, check: durationBetween(time.Hour, 8760*time.Hour)},
	{key: "ui.accessible", doc: "Plain prompts for screen readers instead of the drawn wizard.", env: "ACCESSIBLE", flag: "accessible", kind: kindBool,
		def: func(*Settings) string { return "false" }},
	{key: "ui.color", doc: "Colour in terminal output (NO_COLOR turns it off too).", env: "WEBHOOK_SETUP_COLOR", kind: kindBool,
		def: func(*Settings) string { return "true" }},
}

// Settings holds every effective setting with its source.
type Settings struct {
	ConfigFile Value
	values     map[string]Value
}

// Get returns the effective setting of key.
func (s *Settings) Get(key string) Value { return s.values[key] }

// All returns every setting in declaration order.
func (s *Settings) All() []Value {
	out := []Value{s.ConfigFile}
	for _, d := range settingDefs {
		out = append(out, s.values[d.key])
	}
	return out
}

// DBPath is the database file in use.
func (s *Settings) DBPath() string { return s.values["db_path"].Value }

// KeyFile is the key file in use.
func (s *Settings) KeyFile() string { return s.values["key_file"].Value }

// FallbackDir is where portable fallback bundles are written.
func (s *Settings) FallbackDir() string { return s.values["fallback_dir"].Value }

// Int returns an integer setting (already validated at resolve time).
func (s *Settings) Int(key string) int {
	n, _ := strconv.Atoi(s.values[key].Value)
	return n
}

// Duration returns a duration setting (already validated at resolve time).
func (s *Settings) Duration(key string) time.Duration {
	d, _ := time.ParseDuration(s.values[key].Value)
	return d
}

// Bool returns a boolean setting (already validated at resolve time).
func (s *Settings) Bool(key string) bool {
	b, _ := strconv.ParseBool(s.values[key].Value)
	return b
}

// resolveSettings applies flag > environment > config file > default to
// every setting. fileValues holds the config file's values by key, with
// their lines. A value in the file is checked even when a flag or the
// environment overrides it: a present file must be valid as a whole.
func resolveSettings(flags *pflag.FlagSet, getenv func(string) string, configFile Value, fileValues map[string]config.Setting) (*Settings, error) {
	s := &Settings{ConfigFile: configFile, values: map[string]Value{}}
	// Every bad value of the file is reported at once.
	var ps []codes.Problem
	for _, d := range settingDefs {
		if fv, inFile := fileValues[d.key]; inFile {
			if err := d.validate(fv.Value); err != nil {
				fromFile := Value{Source: FromConfig, Line: fv.Line}
				ps = append(ps, codes.NewProblem(codes.ConfigInvalid, d.key,
					fmt.Sprintf("%s: %s: %v", describeSource(fromFile, configFile.Value), d.key, err)))
			}
		}
	}
	if len(ps) > 0 {
		return nil, codes.ProblemsError(ps)
	}
	for _, d := range settingDefs {
		fv, inFile := fileValues[d.key]
		v := Value{Key: d.key, Env: d.env, Flag: d.flag}
		if f := lookupFlag(flags, d.flag); f != nil && f.Changed {
			v.Value, v.Source = f.Value.String(), FromFlag
		} else if e := envValue(getenv, d); e != "" {
			v.Value, v.Source = e, FromEnv
		} else if inFile {
			v.Value, v.Source, v.Line = fv.Value, FromConfig, fv.Line
		} else {
			v.Value, v.Source = d.def(s), FromDefault
		}
		if err := d.validate(v.Value); err != nil {
			return nil, codes.Errorf(codes.ConfigInvalid, "%s (from %s): %v", d.key, describeSource(v, configFile.Value), err)
		}
		s.values[d.key] = v
	}
	return s, nil
}

// envValue reads d's environment variable; NO_COLOR (any value) turns colour
// off as https://no-color.org asks.
func envValue(getenv func(string) string, d settingDef) string {
	if d.key == "ui.color" && getenv("NO_COLOR") != "" {
		return "false"
	}
	if d.key == "ui.accessible" && getenv("TERM") == "dumb" {
		return "true"
	}
	return getenv(d.env)
}

func describeSource(v Value, configPath string) string {
	switch v.Source {
	case FromFlag:
		return "flag --" + v.Flag
	case FromEnv:
		return "environment " + v.Env
	case FromConfig:
		if v.Line > 0 {
			return fmt.Sprintf("%s:%d", configPath, v.Line)
		}
		return configPath
	}
	return "default"
}

func lookupFlag(flags *pflag.FlagSet, name string) *pflag.Flag {
	if flags == nil || name == "" {
		return nil
	}
	return flags.Lookup(name)
}

func (d settingDef) validate(v string) error {
	switch d.kind {
	case kindInt:
		if _, err := strconv.Atoi(v); err != nil {
			return fmt.Errorf("%q is not a whole number", v)
		}
	case kindDuration:
		if _, err := time.ParseDuration(v); err != nil {
			return fmt.Errorf("%q is not a duration like 30s or 5m", v)
		}
	case kindBool:
		if _, err := strconv.ParseBool(v); err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
	case kindPath:
		if v == "" {
			return fmt.Errorf("the path is empty")
		}
	}
	if d.check != nil {
		return d.check(v)
	}
	return nil
}

func checkMode(v string) error {
	if !core.ValidMode(core.Mode(v)) {
		return fmt.Errorf("%q is not cloud, self-hosted or webhook-only", v)
	}
	return nil
}

func checkRate(v string) error {
	_, err := core.ParseRateLimit(v)
	return err
}

// RateLimit is delivery.rate_limit: the rate of targets without their own
// (zero: the provider's default).
func (s *Settings) RateLimit() core.RateLimit {
	r, _ := core.ParseRateLimit(s.values["delivery.rate_limit"].Value)
	return r
}

func checkPolicy(v string) error {
	if p := core.NetworkPolicy(v); p != core.PolicyDeny && p != core.PolicyAllowlist {
		return fmt.Errorf("%q is not deny or allowlist", v)
	}
	return nil
}

func intBetween(lo, hi int) func(string) error {
	return func(v string) error {
		n, _ := strconv.Atoi(v)
		if n < lo || n > hi {
			return fmt.Errorf("%d is outside %d..%d", n, lo, hi)
		}
		return nil
	}
}

func durationBetween(lo, hi time.Duration) func(string) error {
	return func(v string) error {
		d, _ := time.ParseDuration(v)
		if d < lo || d > hi {
			return fmt.Errorf("%s is outside %s..%s", d, lo, hi)
		}
		return nil
	}
}
