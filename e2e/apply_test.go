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

// TestApplyRoundTrip: add → export-config (URL files written beside it) →
// the secret files filled → apply on a fresh store → re-apply unchanged,
// with the hook token in no targets file, no output and no audit event.
func TestApplyRoundTrip(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap-tickets")
	h.addReceiver("internal-receiver")
	noToken := func(what, s string) {
		t.Helper()
		if strings.Contains(s, urlToken) {
			t.Fatalf("%s holds the webhook URL token:\n%s", what, s)
		}
	}

	out := filepath.Join(h.dir, "export", "targets.toml")
	urlDir := filepath.Join(h.dir, "export", "secrets")
	r := h.ok("export-config", "--out", out, "--url-files", urlDir)
	noToken("export-config output", r.stdout+r.stderr)
	text := readFile(t, out)
	noToken("the targets file", text)
	if strings.Contains(text, knownSecret) || strings.Contains(text, otherSecret) || strings.Contains(text, "webhook_url =") {
		t.Fatalf("export-config wrote a credential:\n%s", text)
	}
	for _, s := range []string{`secret_file = "secrets/zap-tickets.secret"`, signing.Fingerprint(knownSecret),
		`webhook_url_file = "secrets/zap-tickets.url"`, "# The webhook URL (https://hooks.zapier.com/hooks/catch/123456/…/) is in this file.",
		`rate_limit = "5/2s"`, `receiver_owner = "Platform \"night\" team"`} {
		if !strings.Contains(text, s) {
			t.Errorf("export lacks %q:\n%s", s, text)
		}
	}
	for _, c := range []struct{ file, url string }{{"zap-tickets.url", zapierURL}, {"internal-receiver.url", receiverURL}} {
		p := filepath.Join(urlDir, c.file)
		if got := readFile(t, p); got != c.url+"\n" {
			t.Errorf("%s = %q", c.file, got)
		}
		wantMode(t, p, 0o600)
	}
	wantMode(t, out, 0o600)
	wantMode(t, urlDir, 0o700)
	// Existing files are never replaced: neither the targets file nor,
	// even with --force, a URL file.
	for _, args := range [][]string{{"--out", out}, {"--out", out + ".new", "--url-files", urlDir, "--force"}} {
		if r := h.run("", nil, append([]string{"export-config"}, args...)...); r.code != 2 || !strings.Contains(r.stderr, "exists already") {
			t.Fatalf("export-config %v: %s", args, r)
		}
	}
	if _, err := os.Stat(out + ".new"); err == nil {
		t.Fatal("a refused export-config wrote its targets file")
	}
	stdout := h.ok("export-config").stdout
	noToken("export-config to stdout", stdout)
	if !strings.Contains(stdout, `webhook_url_file = "secrets/zap-tickets.url"`) || !strings.Contains(stdout, "# Placeholder: put the webhook URL") {
		t.Fatalf("export-config to stdout:\n%s", stdout)
	}

	// A fresh store: the file copied with its URL and secret files beside it.
	fresh := newHome(t)
	file := fresh.writeFile("targets.toml", text)
	fresh.writeFile("secrets/zap-tickets.url", readFile(t, filepath.Join(urlDir, "zap-tickets.url")))
	fresh.writeFile("secrets/internal-receiver.url", readFile(t, filepath.Join(urlDir, "internal-receiver.url")))
	fresh.writeFile("secrets/zap-tickets.secret", knownSecret+"\n")
	fresh.writeFile("secrets/internal-receiver.secret", otherSecret+"\n")

	got, applied := fresh.planOf("-f", file, "--dry-run")
	if plan(got...) != "create internal-receiver; create zap-tickets" || applied {
		t.Fatalf("dry run on a fresh store = %v (applied %v)", got, applied)
	}
	if d := fresh.dump(); d != "no database" {
		t.Fatalf("dry run created the store:\n%s", d)
	}
	r = fresh.ok("apply", "-f", file, "--resolve", zapierResolve, "--resolve", receiverResolve)
	noToken("apply output", r.stdout+r.stderr)
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
	// The audit log, as shown and as stored (the URL itself is sealed).
	for _, args := range [][]string{{"audit"}, {"audit", "--json"}} {
		r := fresh.ok(args...)
		noToken(strings.Join(args, " "), r.stdout+r.stderr)
		if !strings.Contains(r.stdout, "https://hooks.zapier.com/hooks/catch/123456/…/") {
			t.Errorf("%v does not name the redacted URL:\n%s", args, r.stdout)
		}
	}
	noToken("the fresh store", fresh.dump())

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

// TestExportConfigRevealURL: --reveal-url keeps the URLs inline, and such
// a file applies unchanged to its own store too.
func TestExportConfigRevealURL(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap-tickets")
	out := filepath.Join(h.dir, "targets.toml")
	h.ok("export-config", "--out", out, "--reveal-url")
	text := readFile(t, out)
	if !strings.Contains(text, `webhook_url = "`+zapierURL+`"`) || strings.Contains(text, "webhook_url_file") {
		t.Fatalf("--reveal-url export:\n%s", text)
	}
	h.writeFile("secrets/zap-tickets.secret", knownSecret+"\n")
	if got, _ := h.planOf("-f", out); plan(got...) != "unchanged zap-tickets" {
		t.Fatalf("plan = %v", got)
	}
	for _, args := range [][]string{{"--reveal-url", "--url-files", h.dir + "/u", "--out", h.dir + "/x.toml"}, {"--url-files", h.dir + "/u"}} {
		if r := h.run("", nil, append([]string{"export-config"}, args...)...); r.code != 2 || !strings.Contains(r.stderr, "generic_webhook_usage") {
			t.Fatalf("export-config %v: %s", args, r)
		}
		if _, err := os.Stat(h.dir + "/u"); err == nil {
			t.Fatalf("export-config %v made the URL folder", args)
		}
	}
}

func jsonEqual(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
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
	if latest := item(t, events, 0, "audit events"); latest["action"] != "target.disconnect" || latest["target"] != "old-hook" {
		t.Fatalf("latest audit event = %v", latest)
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
	h.ok("export-config", "--out", out, "--url-files", filepath.Join(h.dir, "secrets"))
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

// urlEntry is goodEntry with its URL from key = value (webhook_url_file or
// webhook_url_env) instead of webhook_url, on line 5.
func urlEntry(name, key, value string, extra ...string) string {
	return strings.Replace(goodEntry(name, extra...), `webhook_url = "`+receiverURL+`"`, key+` = "`+value+`"`, 1)
}

// TestApplyURLSourcesRefused: each way a webhook URL's source can fail
// gives its code, the file and line of the source, no URL in any output,
// and changes nothing.
func TestApplyURLSourcesRefused(t *testing.T) {
	const secretRef = "[target.signing]\nsecret_file = \"secret\"\n"
	tokenURL := "https://hooks.zapier.com/hooks/catch/123456/" + urlToken + "/"
	cases := []struct {
		name    string
		content string
		files   map[string]string      // URL files to write (0600)
		modes   map[string]os.FileMode // then chmod
		env     []string
		exit    int
		code    string
		where   string
	}{
		{name: "two URL sources", content: urlEntry("a", "webhook_url_file", "a.url", `webhook_url = "`+tokenURL+`"`) + secretRef,
			files: map[string]string{"a.url": tokenURL + "\n"}, exit: 2, code: "generic_webhook_config_invalid", where: "targets.toml:9:"},
		{name: "file and variable", content: urlEntry("a", "webhook_url_env", "A_URL", `webhook_url_file = "a.url"`) + secretRef,
			env: []string{"A_URL=" + tokenURL}, exit: 2, code: "generic_webhook_config_invalid", where: "targets.toml:9:"},
		{name: "missing URL file", content: urlEntry("a", "webhook_url_file", "urls/none.url") + secretRef,
			exit: 3, code: "generic_webhook_url_missing", where: "targets.toml:5:"},
		{name: "world-readable URL file", content: urlEntry("a", "webhook_url_file", "a.url") + secretRef,
			files: map[string]string{"a.url": tokenURL + "\n"}, modes: map[string]os.FileMode{"a.url": 0o644},
			exit: 3, code: "generic_webhook_credential_file_exposed", where: "targets.toml:5:"},
		{name: "group-readable secret file", content: urlEntry("a", "webhook_url_file", "a.url") + secretRef,
			files: map[string]string{"a.url": tokenURL + "\n"}, modes: map[string]os.FileMode{"secret": 0o640},
			exit: 3, code: "generic_webhook_credential_file_exposed", where: "targets.toml:11:"},
		{name: "empty variable", content: urlEntry("a", "webhook_url_env", "A_URL") + secretRef,
			env: []string{"A_URL="}, exit: 3, code: "generic_webhook_url_missing", where: "targets.toml:5:"},
		{name: "unset variable", content: urlEntry("a", "webhook_url_env", "NOT_SET_ANYWHERE") + secretRef,
			exit: 3, code: "generic_webhook_url_missing", where: "targets.toml:5:"},
		{name: "empty URL file", content: urlEntry("a", "webhook_url_file", "a.url") + secretRef,
			files: map[string]string{"a.url": "\n"}, exit: 3, code: "generic_webhook_url_missing", where: "targets.toml:5:"},
		{name: "two lines in the URL file", content: urlEntry("a", "webhook_url_file", "a.url") + secretRef,
			files: map[string]string{"a.url": tokenURL + "\n" + tokenURL + "\n"}, exit: 3, code: "generic_webhook_url_unsafe", where: "targets.toml:5:"},
		{name: "unsafe URL in the file", content: urlEntry("a", "webhook_url_file", "a.url") + secretRef,
			files: map[string]string{"a.url": "https://127.0.0.1/hooks/catch/1/" + urlToken + "/\n"}, exit: 3, code: "generic_webhook_url_unsafe", where: "targets.toml:5:"},
		{name: "unsafe URL in the variable", content: urlEntry("a", "webhook_url_env", "A_URL") + secretRef,
			env: []string{"A_URL=https://10.0.0.1/" + urlToken}, exit: 3, code: "generic_webhook_url_unsafe", where: "targets.toml:5:"},
		{name: "URL pasted as the variable's name", content: urlEntry("a", "webhook_url_env", tokenURL) + secretRef,
			exit: 3, code: "generic_webhook_url_missing", where: "targets.toml:5:"},
		{name: "URL pasted as the file's name", content: urlEntry("a", "webhook_url_file", tokenURL) + secretRef,
			exit: 3, code: "generic_webhook_url_missing", where: "targets.toml:5:"},
		// An update whose URL file is missing changes nothing either.
		{name: "existing target, missing URL file", content: strings.Replace(zapTOML("keep", zapierURL, "new-owner@example.com"),
			`webhook_url = "`+zapierURL+`"`, `webhook_url_file = "keep.url"`, 1), exit: 3, code: "generic_webhook_url_missing", where: "targets.toml:5:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHome(t)
			h.addZapier("keep")
			h.writeFile("secret", otherSecret+"\n")
			for name, content := range c.files {
				h.writeFile(name, content)
			}
			for name, mode := range c.modes {
				if err := os.Chmod(filepath.Join(h.dir, name), mode); err != nil {
					t.Fatal(err)
				}
			}
			file := h.writeFile("targets.toml", c.content)
			before := h.dump()
			for _, extra := range [][]string{nil, {"--json"}, {"--dry-run"}} {
				args := append([]string{"apply", "-f", file, "--resolve", receiverResolve, "--resolve", zapierResolve}, extra...)
				r := h.run("", c.env, args...)
				if r.code != c.exit || !strings.Contains(r.stdout+r.stderr, c.code) || !strings.Contains(r.stdout+r.stderr, c.where) {
					t.Fatalf("%v: want exit %d, %s at %s:\n%s", extra, c.exit, c.code, c.where, r)
				}
				if strings.Contains(r.stdout+r.stderr, urlToken) || strings.Contains(r.stdout+r.stderr, otherSecret) {
					t.Fatalf("the output repeats a credential:\n%s", r)
				}
				if h.dump() != before {
					t.Fatal("a refused file changed the store")
				}
			}
		})
	}
}
