package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/config"
)

// TestRateLimitSetting: delivery.rate_limit comes from the environment or
// the config file (flag > env > file > default, the default empty), is
// checked like --rate-limit, and paces the targets without a rate limit of
// their own; a target's own limit wins, and without the setting the
// provider's default applies.
func TestRateLimitSetting(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	cfg := Value{Key: "config", Value: "config.toml", Source: FromDefault}

	s, err := resolveSettings(nil, env(), cfg, nil)
	if err != nil || s.Get("delivery.rate_limit").Value != "" || !s.RateLimit().IsZero() {
		t.Fatalf("default: %+v %v", s.Get("delivery.rate_limit"), err)
	}
	file := map[string]config.Setting{"delivery.rate_limit": {Value: "300/10s", Line: 4}}
	if s, err = resolveSettings(nil, env(), cfg, file); err != nil || s.RateLimit() != (core.RateLimit{Requests: 300, PerSeconds: 10}) ||
		s.Get("delivery.rate_limit").Source != FromConfig {
		t.Fatalf("from the file: %+v %v", s.Get("delivery.rate_limit"), err)
	}
	if s, err = resolveSettings(nil, env("WEBHOOK_SETUP_RATE_LIMIT", "30/s"), cfg, file); err != nil ||
		s.RateLimit() != (core.RateLimit{Requests: 30, PerSeconds: 1}) || s.Get("delivery.rate_limit").Source != FromEnv {
		t.Fatalf("from the environment: %+v %v", s.Get("delivery.rate_limit"), err)
	}
	for _, bad := range []string{"fast", "0/1s", "10/500ms"} {
		_, err := resolveSettings(nil, env("WEBHOOK_SETUP_RATE_LIMIT", bad), cfg, nil)
		if ce := codes.AsError(err); err == nil || ce.Code != codes.ConfigInvalid || !strings.Contains(ce.Reason, "delivery.rate_limit") {
			t.Errorf("%q: %v", bad, err)
		}
	}

	// The pace of the endpoints: the setting for a target without a limit,
	// the target's own limit otherwise, the provider's without the setting.
	app := &App{Now: time.Now, Getenv: env()}
	app.Settings, _ = resolveSettings(nil, env("WEBHOOK_SETUP_RATE_LIMIT", "30/1s"), cfg, nil)
	zap := core.Target{Name: "zap", ProviderKey: core.ProviderZapier, DeploymentMode: core.ModeCloud,
		BaseURL: "https://hooks.zapier.com/hooks/catch/123456/abcdefg/", PrivateNetwork: core.PrivateNetwork{Policy: core.PolicyDeny}}
	public := publicResolver{}
	reh := &rehearsalFlags{to: "https://127.0.0.1:8443/hook"}
	own := zap
	own.RateLimit = core.RateLimit{Requests: 5, PerSeconds: 1}
	for _, c := range []struct {
		name string
		app  *App
		t    core.Target
		reh  *rehearsalFlags
		want float64
	}{
		{"setting", app, zap, nil, 30},
		{"setting, rehearsal", app, zap, reh, 30},
		{"own limit", app, own, nil, 5},
		{"own limit, rehearsal", app, own, reh, 5},
		{"provider default", &App{Now: time.Now, Settings: mustSettings(t)}, zap, nil, 1.0 / 2},
	} {
		ep, err := c.app.endpointFor(context.Background(), nil, c.t, public, c.reh)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := ep.Pacer.Rate(); got != c.want {
			t.Errorf("%s: paced at %v/s, want %v/s", c.name, got, c.want)
		}
	}
}

// publicResolver answers every name with a public address, without DNS.
type publicResolver struct{}

func (publicResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("3.33.152.147")}, nil
}

func mustSettings(t *testing.T) *Settings {
	s, err := resolveSettings(nil, func(string) string { return "" }, Value{Key: "config", Source: FromDefault}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRateLimitSettingInConfigFile: the key is read from a real config
// file, shown by config show, and written by config init.
func TestRateLimitSettingInConfigFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte("[delivery]\nrate_limit = \"300/10s\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	app := &App{In: strings.NewReader(""), Out: &out, Err: &errb, Now: time.Now, Version: "test",
		Getenv: func(k string) string {
			switch k {
			case "WEBHOOK_SETUP_CONFIG":
				return path
			case "WEBHOOK_SETUP_DB":
				return filepath.Join(dir, "db", "webhook-setup.db")
			}
			return ""
		}}
	if code := Run(app, []string{"config", "show", "--json"}); code != 0 {
		t.Fatalf("config show: %d\n%s%s", code, out.String(), errb.String())
	}
	var shown []Value
	if err := json.Unmarshal(out.Bytes(), &shown); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	found := false
	for _, v := range shown {
		if v.Key == "delivery.rate_limit" {
			found = v.Value == "300/10s" && v.Source == FromConfig && v.Line == 2 && v.Env == "WEBHOOK_SETUP_RATE_LIMIT"
		}
	}
	if !found {
		t.Fatalf("config show lacks delivery.rate_limit from the file:\n%s", out.String())
	}
	tmpl, err := configTemplate(path)
	if err != nil || !strings.Contains(tmpl, "# rate_limit = \"\"") || !strings.Contains(tmpl, "WEBHOOK_SETUP_RATE_LIMIT") {
		t.Fatalf("template: %v\n%s", err, tmpl)
	}
}
