package e2e

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/signing"
)

const (
	receiverURL     = "https://receiver.example.com/hooks/tickets"
	receiverResolve = "receiver.example.com:443:93.184.216.34"
	otherSecret     = "another-known-secret-for-the-apply-tests-0123"
)

// planOf runs apply with --json and returns the plan as "action name
// (changed...)" lines and whether it was applied.
func (h *home) planOf(args ...string) ([]string, bool) {
	h.t.Helper()
	r := h.run("", nil, append([]string{"apply", "--json", "--resolve", zapierResolve, "--resolve", receiverResolve}, args...)...)
	if r.code != 0 {
		h.t.Fatalf("apply %v: %s", args, r)
	}
	var out struct {
		Plan []struct {
			Action  string   `json:"action"`
			Name    string   `json:"name"`
			Changed []string `json:"changed"`
		} `json:"plan"`
		Applied bool `json:"applied"`
	}
	mustJSON(h.t, r.stdout, &out)
	var lines []string
	for _, p := range out.Plan {
		l := p.Action + " " + p.Name
		if len(p.Changed) > 0 {
			l += " (" + strings.Join(p.Changed, ", ") + ")"
		}
		lines = append(lines, l)
	}
	return lines, out.Applied
}

func plan(lines ...string) string { return strings.Join(lines, "; ") }

// zapTOML is a [[target]] entry as addZapier saves it, with url and owner.
func zapTOML(name, url, owner string) string {
	return `[[target]]
name = "` + name + `"
provider_key = "zapier_webhook"
deployment_mode = "cloud"
webhook_url = "` + url + `"
receiver_owner = "` + owner + `"
revoke_path = "Zapier > Zaps > Ticket intake"
receiver_checks_confirmed = true
`
}

// addReceiver saves a generic target with an explicit rate limit.
func (h *home) addReceiver(name string) {
	h.t.Helper()
	sf := h.writeFile("secret-"+name, otherSecret+"\n")
	h.ok("add", "--name", name, "--provider", "generic_webhook", "--url", receiverURL, "--secret-file", sf,
		"--owner", "Platform \"night\" team", "--revoke-path", "receiver admin > keys", "--confirm-receiver-checks",
		"--rate-limit", "5/2s", "--resolve", receiverResolve)
}

// auditCount returns how many audit events the store holds.
func (h *home) auditCount() int {
	h.t.Helper()
	var events []map[string]any
	mustJSON(h.t, h.ok("audit", "--json", "--limit", "0").stdout, &events)
	return len(events)
}

func TestApplyRoundTrip(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap-tickets")
	h.addReceiver("internal-receiver")

	out := filepath.Join(h.dir, "export", "targets.toml")
	h.ok("export-config", "--out", out)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if strings.Contains(text, knownSecret) || strings.Contains(text, otherSecret) {
		t.Fatal("export-config wrote a secret")
	}
	for _, s := range []string{`secret_file = "secrets/zap-tickets.secret"`, signing.Fingerprint(knownSecret),
		`webhook_url = "` + zapierURL + `"`, `rate_limit = "5/2s"`, `receiver_owner = "Platform \"night\" team"`} {
		if !strings.Contains(text, s) {
			t.Errorf("export lacks %q:\n%s", s, text)
		}
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Errorf("export mode %v", fi.Mode())
	}
	if r := h.run("", nil, "export-config", "--out", out); r.code != 2 {
		t.Fatalf("export-config over an existing file: %s", r)
	}
	if stdout := h.ok("export-config").stdout; stdout != text {
		t.Fatal("export-config to stdout differs from --out")
	}

	// A fresh store: the file copied with its secrets beside it.
	fresh := newHome(t)
	file := fresh.writeFile("targets.toml", text)
	fresh.writeFile("secrets/zap-tickets.secret", knownSecret+"\n")
	fresh.writeFile("secrets/internal-receiver.secret", otherSecret+"\n")

	got, applied := fresh.planOf("-f", file, "--dry-run")
	if plan(got...) != "create internal-receiver; create zap-tickets" || applied {
		t.Fatalf("dry run on a fresh store = %v (applied %v)", got, applied)
	}
	if d := fresh.dump(); d != "no database" {
		t.Fatalf("dry run created the store:\n%s", d)
	}
	r := fresh.ok("apply", "-f", file, "--resolve", zapierResolve, "--resolve", receiverResolve)
	for _, s := range []string{"create     zap-tickets", "create     internal-receiver", "Applied: 2 created"} {
		if !strings.Contains(r.stdout, s) {
			t.Fatalf("apply output lacks %q:\n%s", s, r.stdout)
		}
	}
	before := fresh.dump()
	got, applied = fresh.planOf("-f", file)
	if plan(got...) != "unchanged internal-receiver; unchanged zap-tickets" || !applied {
		t.Fatalf("re-apply = %v", got)
	}
	if fresh.dump() != before {
		t.Fatal("re-applying the same file changed the store")
	}
	if r := fresh.ok("apply", "-f", file); !strings.Contains(r.stdout, "Nothing to change.") {
		t.Fatalf("re-apply text:\n%s", r.stdout)
	}

	// The targets are the same as the ones made with add, signing included.
	for _, name := range []string{"zap-tickets", "internal-receiver"} {
		var a, b map[string]any
		mustJSON(t, h.ok("show", name, "--json", "--reveal-url").stdout, &a)
		mustJSON(t, fresh.ok("show", name, "--json", "--reveal-url").stdout, &b)
		for _, k := range []string{"provider_key", "deployment_mode", "base_url", "receiver_owner", "revoke_path",
			"receiver_checks_confirmed", "rate_limit", "private_network", "ready"} {
			if !jsonEqual(a[k], b[k]) {
				t.Errorf("%s %s: add %v, apply %v", name, k, a[k], b[k])
			}
		}
		if a["signing"].(map[string]any)["fingerprint"] != b["signing"].(map[string]any)["fingerprint"] {
			t.Errorf("%s fingerprints differ", name)
		}
	}

	// The original store with the secret files in place plans nothing.
	h.writeFile("export/secrets/zap-tickets.secret", knownSecret+"\n")
	h.writeFile("export/secrets/internal-receiver.secret", otherSecret)
	if got, _ := h.planOf("-f", out); plan(got...) != "unchanged internal-receiver; unchanged zap-tickets" {
		t.Fatalf("export applied to its own store = %v", got)
	}
}

func jsonEqual(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// goodEntry is a valid [[target]] for a ready generic target.
func goodEntry(name string, extra ...string) string {
	return `[[target]]
name = "` + name + `"
provider_key = "generic_webhook"
deployment_mode = "cloud"
webhook_url = "` + receiverURL + `"
receiver_owner = "ops"
revoke_path = "receiver admin"
receiver_checks_confirmed = true
` + strings.Join(extra, "\n") + "\n"
}

func TestApplyBadFilesLeaveStoreUntouched(t *testing.T) {
	const secretRef = "[target.signing]\nsecret_file = \"secret\"\n"
	cases := []struct {
		name    string
		content string
		exit    int
		code    string
		where   string // file:line
	}{
		{"unknown key", goodEntry("a", "colour = \"red\"") + secretRef, 2, "generic_webhook_config_invalid", "targets.toml:9:"},
		{"wrong type", goodEntry("a", "receiver_checks_confirmed = \"yes\"") + secretRef, 2, "generic_webhook_config_invalid", "targets.toml:9:"},
		{"base_url instead of webhook_url", goodEntry("a", `base_url = "https://x.example.com/"`) + secretRef, 2, "generic_webhook_config_invalid", "targets.toml:9:"},
		{"duplicate names", goodEntry("a") + secretRef + goodEntry("a") + secretRef, 2, "generic_webhook_config_invalid", "targets.toml:13:"},
		{"literal secret", goodEntry("a") + "[target.signing]\nsecret = \"" + otherSecret + "\"\n", 2, "generic_webhook_config_invalid", "targets.toml:11:"},
		{"literal signing_secret", goodEntry("a", `signing_secret = "`+otherSecret+`"`), 2, "generic_webhook_config_invalid", "targets.toml:9:"},
		{"syntax error", goodEntry("a") + "[target.signing\n", 2, "generic_webhook_config_invalid", "targets.toml:10:"},
		{"unsafe URL", strings.Replace(goodEntry("a"), receiverURL, "https://127.0.0.1/hook", 1) + secretRef, 3, "generic_webhook_url_unsafe", "targets.toml:5:"},
		{"private address", strings.Replace(goodEntry("a"), receiverURL, "https://intranet.example.com/hook", 1) + secretRef, 3, "", "targets.toml:5:"},
		{"http URL", strings.Replace(goodEntry("a"), "https://", "http://", 1) + secretRef, 3, "generic_webhook_url_unsafe", "targets.toml:5:"},
		{"allowlist in cloud mode", goodEntry("a", "[target.private_network]", `policy = "allowlist"`, `allowlist = ["10.0.0.0/8"]`, `authorized_by = "CAB-1"`) + secretRef,
			3, "generic_webhook_private_network_invalid", "targets.toml:10:"},
		{"missing secret file", goodEntry("a") + "[target.signing]\nsecret_file = \"secrets/nope.secret\"\n", 3, "generic_webhook_secret_missing", "targets.toml:11:"},
		{"unset secret variable", goodEntry("a") + "[target.signing]\nsecret_env = \"NOT_SET_ANYWHERE\"\n", 3, "generic_webhook_secret_missing", "targets.toml:11:"},
		{"new target without secret", goodEntry("a"), 3, "generic_webhook_secret_missing", "targets.toml:1:"},
		{"unconfirmed receiver checks", strings.Replace(goodEntry("a"), "= true", "= false", 1) + secretRef, 3, "generic_webhook_receiver_checks_unconfirmed", "targets.toml:8:"},
		// One good target and one bad: neither is written.
		{"one bad among good", goodEntry("good") + secretRef + strings.Replace(goodEntry("bad"), receiverURL, "https://10.0.0.1/x", 1) + secretRef,
			3, "generic_webhook_url_unsafe", "targets.toml:16:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHome(t)
			h.addZapier("keep")
			h.writeFile("secret", otherSecret+"\n")
			file := h.writeFile("targets.toml", c.content)
			before := h.dump()
			args := []string{"apply", "-f", file, "--prune", "--resolve", receiverResolve, "--resolve", "intranet.example.com:443:10.1.2.3"}
			r := h.run("", nil, args...)
			if r.code != c.exit || !strings.Contains(r.stderr, c.code) || !strings.Contains(r.stderr, c.where) {
				t.Fatalf("want exit %d, %s at %s:\n%s", c.exit, c.code, c.where, r)
			}
			if strings.Contains(r.stdout+r.stderr, otherSecret) {
				t.Fatal("the output repeats a secret")
			}
			if h.dump() != before {
				t.Fatal("a refused file changed the store")
			}
			// --json gives the error with every problem, file, line and code.
			r = h.run("", nil, append(args, "--json")...)
			if r.code != c.exit || !strings.Contains(r.stdout, `"problems"`) || !strings.Contains(r.stdout, c.where) || !strings.Contains(r.stdout, c.code) {
				t.Fatalf("--json: %s", r)
			}
			if h.dump() != before {
				t.Fatal("a refused file changed the store")
			}
		})
	}
}

func TestApplyPrune(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap-tickets")
	h.addZapier("old-hook")
	// Without [target.signing] a target keeps its stored secret.
	file := h.writeFile("targets.toml", zapTOML("zap-tickets", zapierURL, "ops@example.com"))
	// Without --prune, a target the file leaves out is kept.
	if got, _ := h.planOf("-f", file); plan(got...) != "unchanged zap-tickets" {
		t.Fatalf("plan = %v", got)
	}
	got, _ := h.planOf("-f", file, "--prune", "--dry-run")
	if plan(got...) != "unchanged zap-tickets; delete old-hook" {
		t.Fatalf("prune plan = %v", got)
	}
	r := h.ok("apply", "-f", file, "--prune")
	if !strings.Contains(r.stdout, "delete     old-hook") || !strings.Contains(r.stdout, "1 to delete") {
		t.Fatalf("prune output:\n%s", r.stdout)
	}
	var list []map[string]any
	mustJSON(t, h.ok("list", "--json").stdout, &list)
	if len(list) != 1 || list[0]["name"] != "zap-tickets" {
		t.Fatalf("after prune: %v", list)
	}
	var events []map[string]any
	mustJSON(t, h.ok("audit", "--json").stdout, &events)
	if events[0]["action"] != "target.disconnect" || events[0]["target"] != "old-hook" {
		t.Fatalf("latest audit event = %v", events[0])
	}
	// A file without targets never prunes everything.
	empty := h.writeFile("empty.toml", "# nothing\n")
	before := h.dump()
	if r := h.run("", nil, "apply", "-f", empty, "--prune"); r.code != 2 || h.dump() != before {
		t.Fatalf("empty file with --prune: %s", r)
	}
}

func TestApplyChangedSecretRotatesWithGrace(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap-tickets")
	var show map[string]any
	mustJSON(t, h.ok("show", "zap-tickets", "--json").stdout, &show)
	oldFP := show["signing"].(map[string]any)["fingerprint"].(string)

	out := filepath.Join(h.dir, "targets.toml")
	h.ok("export-config", "--out", out)
	b, _ := os.ReadFile(out)
	// A new secret in the placeholder and a two-hour grace.
	h.writeFile("targets.toml", strings.Replace(string(b), "secret_file = ", "grace = \"2h\"\nsecret_file = ", 1))
	h.writeFile("secrets/zap-tickets.secret", otherSecret+"\n")
	events := h.auditCount()

	got, _ := h.planOf("-f", out, "--dry-run")
	if plan(got...) != "update zap-tickets (signing)" {
		t.Fatalf("plan = %v", got)
	}
	start := time.Now()
	h.ok("apply", "-f", out)
	mustJSON(t, h.ok("show", "zap-tickets", "--json").stdout, &show)
	if fp := show["signing"].(map[string]any)["fingerprint"]; fp != signing.Fingerprint(otherSecret) || fp == oldFP {
		t.Fatalf("fingerprint after apply = %v (old %s)", fp, oldFP)
	}
	// One audit event, naming the rotation and its grace.
	var audit []map[string]any
	mustJSON(t, h.ok("audit", "--json").stdout, &audit)
	if len(audit) != events+1 || audit[0]["action"] != "target.update" ||
		!strings.Contains(audit[0]["detail"].(string), oldFP) || !strings.Contains(audit[0]["detail"].(string), "2h") {
		t.Fatalf("audit after rotation: %v", audit)
	}
	// The old secret stays valid for the grace: its credential expires in
	// two hours, not now.
	db, err := sql.Open("sqlite3", "file:"+h.db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var expires sql.NullInt64
	if err := db.QueryRow(`SELECT expires_at FROM credentials WHERE fingerprint = ?`, oldFP).Scan(&expires); err != nil {
		t.Fatal(err)
	}
	until := time.Unix(0, expires.Int64)
	if !expires.Valid || until.Before(start.Add(2*time.Hour-time.Minute)) || until.After(time.Now().Add(2*time.Hour+time.Minute)) {
		t.Fatalf("old credential expires at %v, want about two hours from now", until)
	}
	// Applying again is unchanged: the new secret is now the stored one.
	if got, _ := h.planOf("-f", out); plan(got...) != "unchanged zap-tickets" {
		t.Fatalf("after rotation = %v", got)
	}
}

func TestApplyAuditsOneEventPerTargetChanged(t *testing.T) {
	h := newHome(t)
	h.addZapier("same")
	h.addZapier("changed")
	h.addZapier("gone")
	h.writeFile("secret", otherSecret+"\n")
	file := h.writeFile("targets.toml", zapTOML("same", zapierURL, "ops@example.com")+zapTOML("changed", zapierURL, "new-owner@example.com")+
		goodEntry("new-one")+"[target.signing]\nsecret_file = \"secret\"\n")
	events := h.auditCount()
	got, _ := h.planOf("-f", file, "--prune")
	if plan(got...) != "unchanged same; update changed (receiver_owner); create new-one; delete gone" {
		t.Fatalf("plan = %v", got)
	}
	var audit []map[string]any
	mustJSON(t, h.ok("audit", "--json").stdout, &audit)
	if len(audit) != events+3 {
		t.Fatalf("%d audit events for 3 changed targets: %v", len(audit)-events, audit[:len(audit)-events])
	}
	seen := map[string]string{}
	for _, e := range audit[:3] {
		seen[e["target"].(string)] = e["action"].(string)
		if e["actor"] != testActor(t) {
			t.Errorf("actor = %v", e["actor"])
		}
	}
	if seen["changed"] != "target.update" || seen["new-one"] != "target.create" || seen["gone"] != "target.disconnect" {
		t.Fatalf("audit events = %v", seen)
	}
}

// TestFragmentIsNeverStored: a fragment is never sent, so add warns and
// saves the URL without it, and a targets file that still has it plans
// no change.
func TestFragmentIsNeverStored(t *testing.T) {
	h := newHome(t)
	r := h.addZapier("zap-tickets", "--url", zapierURL+"#section")
	if !strings.Contains(r.stderr+r.stdout, "fragment") {
		t.Errorf("add did not warn about the fragment: %s", r)
	}
	var shown map[string]any
	mustJSON(t, h.ok("show", "zap-tickets", "--json", "--reveal-url").stdout, &shown)
	if shown["base_url"] != zapierURL {
		t.Fatalf("saved base_url = %v, want %s", shown["base_url"], zapierURL)
	}
	out := filepath.Join(h.dir, "exported.toml")
	h.ok("export-config", "--out", out)
	if b, _ := os.ReadFile(out); strings.Contains(string(b), "#section") {
		t.Fatalf("export-config kept the fragment:\n%s", b)
	}
	file := h.writeFile("targets.toml", zapTOML("zap-tickets", zapierURL+"#other", "ops@example.com"))
	if got, _ := h.planOf("-f", file); plan(got...) != "unchanged zap-tickets" {
		t.Fatalf("plan of the same URL with a fragment = %v", got)
	}
}
