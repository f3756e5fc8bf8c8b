package ui

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/core/signing"
)

// Flag parsing through runF (cli/cli's shape): each command line goes
// through the real root (global flags, settings, the usage code of a flag
// error, the error printer and exit code) with one command under it whose
// runF captures the options instead of running. A valid line gives exactly
// the options listed; a refused one gives its code and exit status, and
// neither runs the command nor creates the database. The e2e tests run the
// same commands for real.

// flagCase is one command line (after the command's name; no value holds
// a space) and what it must give: the options runF gets, or, when want is
// nil, the code of the refusal.
type flagCase[T any] struct {
	line string
	want *T
	code codes.Code
}

// with returns a copy of base changed by edit.
func with[T any](base T, edit func(*T)) *T {
	edit(&base)
	return &base
}

// checkFlags runs every case through newCmd with a capturing runF.
func checkFlags[T any](t *testing.T, newCmd func(*App, func(*T) error) *cobra.Command, cases []flagCase[T]) {
	t.Helper()
	for _, c := range cases {
		got, exit, printed, db := parseLine(t, newCmd, c.line)
		name := newCmd(&App{}, nil).Name() + " " + c.line
		if c.want == nil {
			if got != nil {
				t.Errorf("%s: ran with %+v, want refused with %s", name, *got, c.code)
			}
			if want := codes.Info(c.code).Exit; exit != want || !strings.Contains(printed, string(c.code)) {
				t.Errorf("%s: exit %d, printed %q; want exit %d naming %s", name, exit, printed, want, c.code)
			}
		} else {
			if exit != codes.ExitOK || got == nil {
				t.Errorf("%s: exit %d, ran %v, printed %q; want it to run", name, exit, got != nil, printed)
			} else if !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s:\n got %+v\nwant %+v", name, *got, *c.want)
			}
		}
		if _, err := os.Lstat(db); err == nil {
			t.Errorf("%s: parsing created the database", name)
		}
	}
}

// parseLine runs `NAME line` over a root holding only the command newCmd
// builds. It returns the options runF captured (nil when it did not run),
// the exit code, what it printed (an error goes to stdout under --json) and
// the database path the settings named.
func parseLine[T any](t *testing.T, newCmd func(*App, func(*T) error) *cobra.Command, line string) (got *T, exit int, printed, db string) {
	t.Helper()
	db = filepath.Join(t.TempDir(), "w.db")
	env := map[string]string{"XDG_CONFIG_HOME": t.TempDir(), "WEBHOOK_SETUP_DB": db}
	var out, errb strings.Builder
	app := &App{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(k string) string { return env[k] }, Now: time.Now}
	root := newRoot(app)
	cmd := newCmd(app, func(o *T) error { got = o; return nil })
	root.AddCommand(cmd)
	exit = execute(app, root, append([]string{cmd.Name()}, strings.Fields(line)...))
	return got, exit, out.String() + errb.String(), db
}

func TestAddFlags(t *testing.T) {
	base := addOptions{name: "zap"}
	checkFlags(t, NewCmdAdd, []flagCase[addOptions]{
		{line: "zap --provider zapier_webhook --mode cloud --url https://hooks.zapier.com/hooks/catch/1/a/ --generate-secret --owner ops@example.com --revoke-path Zapier --confirm-receiver-checks",
			want: with(base, func(o *addOptions) {
				o.provider, o.mode, o.url = "zapier_webhook", "cloud", "https://hooks.zapier.com/hooks/catch/1/a/"
				o.secret.generate, o.owner, o.revokePath, o.confirmChecks = true, "ops@example.com", "Zapier", true
			})},
		{line: "--name zap", want: &base}, // the deprecated spelling
		{line: "zap --name zap", want: &base},
		{line: "zap --webhook-url https://h.example/x --url-file u.txt --secret-file s.txt --secret-out o.txt",
			want: with(base, func(o *addOptions) {
				o.webhookURL, o.urlFile.path, o.secret.file, o.secret.out = "https://h.example/x", "u.txt", "s.txt", "o.txt"
			})},
		{line: "zap --mode self-hosted --private-network-policy allowlist --allow 10.20.0.0/16 --allow *.internal --authorized-by CAB-1 --resolve n8n.internal:443:10.20.1.5",
			want: with(base, func(o *addOptions) {
				o.mode = "self-hosted"
				o.network = networkFlags{policy: "allowlist", allow: []string{"10.20.0.0/16", "*.internal"}, authorizedBy: "CAB-1"}
				o.resolve.entries = []string{"n8n.internal:443:10.20.1.5"}
			})},
		{line: "zap --rate-limit 5/1s --standard-webhooks --json --allow-confusable-host --secret-env S --edge-header x-make-apikey --edge-value-env V",
			want: with(base, func(o *addOptions) {
				o.rate.raw, o.standardWebhooks, o.json, o.allowLookAlike, o.secret.env = "5/1s", true, true, true, "S"
				o.edge = edgeFlags{header: "x-make-apikey", env: "V"}
			})},
		{line: "zap --resolve-as 3.33.152.147 --resolve-as 13.248.1.2,2600:1f18::1",
			want: with(base, func(o *addOptions) { o.resolveAs = []string{"3.33.152.147", "13.248.1.2,2600:1f18::1"} })},
		{line: "zap --resolve-as", code: codes.Usage},
		{line: "zap --name other", code: codes.Usage},
		{line: "zap other", code: codes.Usage},
		{line: "zap --bogus", code: codes.Usage},
		{line: "zap --confirm-receiver-checks=maybe", code: codes.Usage},
		{line: "zap --wait 5s", code: codes.Usage}, // add sends nothing
	})
}

func TestListStatusShowFlags(t *testing.T) {
	checkFlags(t, NewCmdList, []flagCase[listOptions]{
		{line: "", want: &listOptions{}},
		{line: "--json", want: &listOptions{json: true}},
		{line: "zap", code: codes.Usage},
	})
	checkFlags(t, NewCmdStatus, []flagCase[statusOptions]{
		{line: "--json", want: &statusOptions{json: true}},
		{line: "zap", code: codes.Usage},
	})
	checkFlags(t, NewCmdShow, []flagCase[showOptions]{
		{line: "zap", want: &showOptions{name: "zap"}},
		{line: "zap --json --reveal-url", want: &showOptions{name: "zap", json: true, reveal: true}},
		{line: "zap --whsec", want: &showOptions{name: "zap", whsec: true}},
		{line: "", code: codes.Usage},
		{line: "zap other", code: codes.Usage},
	})
	checkFlags(t, NewCmdDisconnect, []flagCase[disconnectOptions]{
		{line: "zap", want: &disconnectOptions{name: "zap"}},
		{line: "zap --yes --json", want: &disconnectOptions{name: "zap", yes: true, json: true}},
		{line: "--yes", code: codes.Usage},
	})
}

func TestCheckURLFlags(t *testing.T) {
	checkFlags(t, NewCmdCheckURL, []flagCase[checkURLOptions]{
		{line: "https://hooks.zapier.com/hooks/catch/1/a/", want: &checkURLOptions{url: "https://hooks.zapier.com/hooks/catch/1/a/"}},
		{line: "--url-file u.txt --json", want: &checkURLOptions{urlFile: urlFileFlag{path: "u.txt"}, json: true}},
		{line: "https://n8n.internal/webhook/x --mode self-hosted --provider n8n_webhook --private-network-policy allowlist --allow 10.20.0.0/16 --authorized-by CAB-1 --resolve n8n.internal:443:10.20.1.5 --allow-confusable-host",
			want: &checkURLOptions{url: "https://n8n.internal/webhook/x", mode: "self-hosted", provider: "n8n_webhook", allowLookAlike: true,
				network: networkFlags{policy: "allowlist", allow: []string{"10.20.0.0/16"}, authorizedBy: "CAB-1"},
				resolve: resolveFlag{entries: []string{"n8n.internal:443:10.20.1.5"}}}},
		{line: "", code: codes.Usage},
		{line: "https://a.example/ https://b.example/", code: codes.Usage},
	})
}

func TestRotateSecretFlags(t *testing.T) {
	base := rotateOptions{name: "zap", grace: 24 * time.Hour}
	const to = "https://127.0.0.1:8443/hook"
	checkFlags(t, NewCmdRotateSecret, []flagCase[rotateOptions]{
		{line: "zap --generate-secret", want: with(base, func(o *rotateOptions) { o.secret.generate = true })},
		{line: "zap --generate", want: with(base, func(o *rotateOptions) { o.secret.generate = true })}, // the deprecated spelling
		{line: "zap --secret-file s.txt --grace 0s --json", want: with(base, func(o *rotateOptions) { o.secret.file, o.grace, o.json = "s.txt", 0, true })},
		{line: "zap --secret-env S --grace 720h", want: with(base, func(o *rotateOptions) { o.secret.env, o.grace = "S", 720*time.Hour })},
		{line: "zap --generate-secret --verify --retire-old --to " + to + " --resolve h:443:127.0.0.1",
			want: with(base, func(o *rotateOptions) {
				o.secret.generate = true
				o.verify = verifyFlags{verify: true, retireOld: true, rehearsal: rehearsalFlags{to: to}, resolve: resolveFlag{entries: []string{"h:443:127.0.0.1"}}}
			})},
		// --verify-only rotates nothing and verifies; no secret needed.
		{line: "zap --verify-only", want: with(base, func(o *rotateOptions) { o.verify.only, o.verify.verify = true, true })},
		{line: "zap --edge --edge-value-env V --edge-header x-make-apikey",
			want: with(base, func(o *rotateOptions) { o.edge, o.edgeFlags = true, edgeFlags{header: "x-make-apikey", env: "V"} })},
		{line: "zap", code: codes.SecretMissing},
		{line: "", code: codes.Usage},
		{line: "zap --grace 721h --generate-secret", code: codes.Usage},
		{line: "zap --grace -1s --generate-secret", code: codes.Usage},
		{line: "zap --grace soon --generate-secret", code: codes.Usage},
		{line: "zap --verify-only --generate-secret", code: codes.Usage},
		{line: "zap --retire-old --generate-secret", code: codes.Usage},
		{line: "zap --to " + to + " --generate-secret", code: codes.Usage},
		{line: "zap --generate-secret --verify --ca-file c.pem", code: codes.Usage},
		{line: "zap --generate-secret --verify --to http://127.0.0.1:8443/hook", code: codes.Usage},
		{line: "zap --edge --generate-secret", code: codes.Usage},
		{line: "zap --edge --edge-value-env V --verify", code: codes.Usage},
		{line: "zap --edge-value-env V --generate-secret", code: codes.Usage},
	})
}

func TestAuditFlags(t *testing.T) {
	head := strings.Repeat("ab", 32)
	checkFlags(t, NewCmdAudit, []flagCase[auditOptions]{
		{line: "", want: &auditOptions{limit: 200}},
		{line: "--limit 0 --json", want: &auditOptions{limit: 0, json: true}},
		{line: "--limit many", code: codes.Usage},
		{line: "all", code: codes.Usage},
	})
	checkFlags(t, newCmdAuditVerify, []flagCase[auditVerifyOptions]{
		{line: "", want: &auditVerifyOptions{}},
		{line: "--since-head " + head + " --json", want: &auditVerifyOptions{since: head, json: true}},
		{line: "--since-head " + strings.ToUpper(head), code: codes.Usage},
		{line: "--since-head zz", code: codes.Usage},
	})
	checkFlags(t, newCmdAuditHead, []flagCase[auditHeadOptions]{
		{line: "--json", want: &auditHeadOptions{json: true}},
		{line: "now", code: codes.Usage},
	})
}

func TestSmallCommandFlags(t *testing.T) {
	checkFlags(t, NewCmdVersion, []flagCase[versionOptions]{
		{line: "--json", want: &versionOptions{json: true}},
		{line: "1.0", code: codes.Usage},
	})
	checkFlags(t, NewCmdCodes, []flagCase[codesOptions]{
		{line: "", want: &codesOptions{}},
		{line: "--json", want: &codesOptions{json: true}},
	})
	checkFlags(t, NewCmdSchema, []flagCase[schemaOptions]{
		{line: "", want: &schemaOptions{}},
		{line: "--json", code: codes.Usage},
		{line: "ticket", code: codes.Usage},
	})
	checkFlags(t, NewCmdMan, []flagCase[manOptions]{
		{line: "--dir man1", want: &manOptions{dir: "man1"}},
		{line: "", code: codes.Usage},
		{line: "man1", code: codes.Usage},
	})
	checkFlags(t, NewCmdSupportBundle, []flagCase[supportBundleOptions]{
		{line: "--out b.tar.gz", want: &supportBundleOptions{out: "b.tar.gz", events: 200}},
		{line: "--out b.tar.gz --audit-events 10000", want: &supportBundleOptions{out: "b.tar.gz", events: 10000}},
		{line: "", code: codes.Usage},
		{line: "--out b.tar.gz --audit-events 0", code: codes.Usage},
		{line: "--out b.tar.gz --audit-events 10001", code: codes.Usage},
	})
}

func TestConfigFlags(t *testing.T) {
	checkFlags(t, newCmdConfigShow, []flagCase[configShowOptions]{
		{line: "--json", want: &configShowOptions{json: true}},
		{line: "db_path", code: codes.Usage},
	})
	checkFlags(t, newCmdConfigPath, []flagCase[configPathOptions]{
		{line: "--json", want: &configPathOptions{json: true}},
	})
	// init names the file --config gives, and reads nothing of it.
	other := filepath.Join(t.TempDir(), "other.toml")
	checkFlags(t, newCmdConfigInit, []flagCase[configInitOptions]{
		{line: "--force --config " + other, want: &configInitOptions{path: other, force: true}},
		{line: "--force=sure", code: codes.Usage},
	})
	// Without --config: the default path under XDG_CONFIG_HOME.
	got, exit, printed, _ := parseLine(t, newCmdConfigInit, "")
	if exit != 0 || got == nil || !strings.HasSuffix(got.path, filepath.Join("webhook-setup", "config.toml")) {
		t.Errorf("config init: exit %d, %+v, %s", exit, got, printed)
	}
}

func TestApplyAndExportConfigFlags(t *testing.T) {
	checkFlags(t, NewCmdApply, []flagCase[applyOptions]{
		{line: "-f targets.toml", want: &applyOptions{file: "targets.toml"}},
		{line: "--file - --dry-run --prune --json --resolve h:443:10.0.0.1",
			want: &applyOptions{file: "-", dryRun: true, prune: true, json: true, resolve: resolveFlag{entries: []string{"h:443:10.0.0.1"}}}},
		{line: "", code: codes.Usage},
		{line: "--dry-run", code: codes.Usage},
		{line: "targets.toml", code: codes.Usage},
	})
	checkFlags(t, NewCmdExportConfig, []flagCase[exportOptions]{
		{line: "", want: &exportOptions{}},
		{line: "--out t.toml --url-files secrets --force", want: &exportOptions{out: "t.toml", urlFiles: "secrets", force: true}},
		{line: "--reveal-url --out t.toml", want: &exportOptions{out: "t.toml", revealURL: true}},
		{line: "--url-files secrets", code: codes.Usage},
		{line: "--out t.toml --url-files secrets --reveal-url", code: codes.Usage},
	})
}

func TestDeliveriesFlags(t *testing.T) {
	checkFlags(t, NewCmdDeliveries, []flagCase[deliveriesOptions]{
		{line: "", want: &deliveriesOptions{limit: 200}},
		{line: "--status failed --limit 5 --json", want: &deliveriesOptions{status: "failed", limit: 5, json: true}},
		{line: "--status done", code: codes.Usage},
		{line: "ID", code: codes.Usage},
	})
	const to = "https://127.0.0.1:8443/hook"
	drain := drainOptions{wait: 60 * time.Second, workers: delivery.DefaultWorkers}
	checkFlags(t, newCmdDeliveriesDrain, []flagCase[drainOptions]{
		{line: "", want: &drain},
		{line: "--workers 64 --wait 4m --fallback-dir fb --json", want: with(drain, func(o *drainOptions) { o.workers, o.wait, o.fallbackDir, o.json = 64, 4*time.Minute, "fb", true })},
		{line: "--workers 1 --json-events --to " + to, want: with(drain, func(o *drainOptions) { o.workers, o.progress.jsonEvents, o.rehearsal.to = 1, true, to })},
		{line: "--workers 0", code: codes.Usage},
		{line: "--workers 65", code: codes.Usage},
		{line: "--json --json-events", code: codes.Usage},
		{line: "--wait 25h", code: codes.ConfigInvalid}, // delivery.wait is 0s to 24h
	})
	retry := retryOptions{id: "d1", maxAttempts: 8, wait: 60 * time.Second}
	checkFlags(t, newCmdDeliveriesRetry, []flagCase[retryOptions]{
		{line: "d1", want: &retry},
		{line: "d1 --max-attempts 3 --wait 0s --json", want: with(retry, func(o *retryOptions) { o.maxAttempts, o.wait, o.json = 3, 0, true })},
		{line: "", code: codes.Usage},
		{line: "d1 --max-attempts 101", code: codes.ConfigInvalid},
	})
	checkFlags(t, newCmdDeliveriesShow, []flagCase[deliveryShowOptions]{
		{line: "d1 --json", want: &deliveryShowOptions{id: "d1", json: true}},
		{line: "d1 d2", code: codes.Usage},
	})
}

func TestExportAndTestSendFlags(t *testing.T) {
	const to = "https://127.0.0.1:8443/hook"
	export := ticketExportOptions{name: "zap", maxAttempts: 8, wait: 60 * time.Second, workers: delivery.DefaultWorkers}
	checkFlags(t, NewCmdExport, []flagCase[ticketExportOptions]{
		{line: "zap --ticket t.json", want: with(export, func(o *ticketExportOptions) { o.ticket = "t.json" })},
		{line: "zap --ticket - --portable --idempotency-key k1 --workers 2 --json-events --to " + to + " --ca-file c.pem",
			want: with(export, func(o *ticketExportOptions) {
				o.ticket, o.portable, o.key, o.workers, o.progress.jsonEvents = "-", true, "k1", 2, true
				o.rehearsal = rehearsalFlags{to: to, caFile: "c.pem"}
			})},
		{line: "--ticket t.json", code: codes.Usage},
		{line: "zap --workers two", code: codes.Usage},
		{line: "zap --max-attempts 0", code: codes.ConfigInvalid},
	})
	send := testSendCmdOptions{name: "zap", wait: 60 * time.Second}
	checkFlags(t, NewCmdTestSend, []flagCase[testSendCmdOptions]{
		{line: "zap", want: &send},
		// --out and --curl imply --dry-run.
		{line: "zap --curl", want: with(send, func(o *testSendCmdOptions) { o.curl, o.dryRun = true, true })},
		{line: "zap --out req.json --reveal-url", want: with(send, func(o *testSendCmdOptions) { o.out, o.dryRun, o.reveal = "req.json", true, true })},
		{line: "--url https://h.example/x --secret-file s.txt --provider make_webhook --json",
			want: with(send, func(o *testSendCmdOptions) {
				o.name, o.url, o.secret.file, o.provider, o.json = "", "https://h.example/x", "s.txt", "make_webhook", true
			})},
		{line: "zap --to " + to + " --ca-file c.pem --wait 5s", want: with(send, func(o *testSendCmdOptions) {
			o.rehearsal, o.wait = rehearsalFlags{to: to, caFile: "c.pem"}, 5*time.Second
		})},
		{line: "zap other", code: codes.Usage},
		{line: "zap --generate-secret", code: codes.Usage},
	})
}

func TestReceiveVerifyRecipeFlags(t *testing.T) {
	recv := receiveOptions{listen: "127.0.0.1:0", tolerance: signing.DefaultTolerance, selfSigned: true}
	checkFlags(t, NewCmdReceive, []flagCase[receiveOptions]{
		// Self-signed is the default.
		{line: "--listen 127.0.0.1:0 --secret-env S", want: with(recv, func(o *receiveOptions) { o.secret.env = "S" })},
		{line: "zap --listen 127.0.0.1:0 --cert-out c.pem --once --json --state st", want: with(recv, func(o *receiveOptions) {
			o.target, o.certOut, o.once, o.json, o.state = "zap", "c.pem", true, true, "st"
		})},
		{line: "--target zap --listen [::1]:8443", want: with(recv, func(o *receiveOptions) { o.target, o.listen = "zap", "[::1]:8443" })},
		{line: "zap --listen 127.0.0.1:0 --tls-cert c.pem --tls-key k.pem --tolerance 1h",
			want: with(recv, func(o *receiveOptions) {
				o.target, o.selfSigned, o.tlsCert, o.tlsKey, o.tolerance = "zap", false, "c.pem", "k.pem", time.Hour
			})},
		{line: "zap --listen 0.0.0.0:8443 --public", want: with(recv, func(o *receiveOptions) { o.target, o.listen, o.public = "zap", "0.0.0.0:8443", true })},
		{line: "zap", code: codes.Usage},
		{line: "--listen 127.0.0.1:0", code: codes.Usage},
		{line: "zap --listen 127.0.0.1:0 --secret-env S", code: codes.Usage},
		{line: "zap --target other --listen 127.0.0.1:0", code: codes.Usage},
		{line: "zap --listen 127.0.0.1:0 --self-signed --tls-cert c.pem --tls-key k.pem", code: codes.Usage},
		{line: "zap --listen 127.0.0.1:0 --tls-cert c.pem", code: codes.Usage},
		{line: "zap --listen 127.0.0.1:0 --tls-cert c.pem --tls-key k.pem --cert-out o.pem", code: codes.Usage},
		{line: "zap --listen 127.0.0.1:0 --tolerance 500ms", code: codes.Usage},
		{line: "zap --listen 0.0.0.0:8443", code: codes.Usage},
		{line: "zap --listen 127.0.0.1", code: codes.Usage},
	})
	ver := verifyOptions{request: "req.json", tolerance: signing.DefaultTolerance}
	checkFlags(t, NewCmdVerify, []flagCase[verifyOptions]{
		{line: "zap --request req.json", want: with(ver, func(o *verifyOptions) { o.target = "zap" })},
		{line: "--request req.json --secret-file s.txt --now 1700000000 --tolerance 60s --json",
			want: with(ver, func(o *verifyOptions) {
				o.secret.file, o.now, o.tolerance, o.json = "s.txt", "1700000000", time.Minute, true
			})},
		{line: "zap", code: codes.Usage},
		{line: "--request req.json", code: codes.Usage},
		{line: "zap --request req.json --secret-env S", code: codes.Usage},
		{line: "zap --request req.json --tolerance 2h", code: codes.Usage},
	})
	rec := recipeOptions{tolerance: signing.DefaultTolerance}
	checkFlags(t, NewCmdRecipe, []flagCase[recipeOptions]{
		{line: "zap", want: with(rec, func(o *recipeOptions) { o.target = "zap" })},
		{line: "--target zap --provider python --tolerance 60s", want: with(rec, func(o *recipeOptions) { o.target, o.provider, o.tolerance = "zap", "python", time.Minute })},
		{line: "--list --json", want: with(rec, func(o *recipeOptions) { o.list, o.json = true, true })},
		{line: "--json", code: codes.Usage},
		{line: "zap --target other", code: codes.Usage},
	})
}

func TestDoctorFlags(t *testing.T) {
	checkFlags(t, NewCmdDoctor, []flagCase[doctorCmdOptions]{
		{line: "", want: &doctorCmdOptions{}},
		{line: "--network --json --accept-dns zap --resolve h:443:10.0.0.1",
			want: &doctorCmdOptions{network: true, json: true, acceptDNS: "zap", resolve: resolveFlag{entries: []string{"h:443:10.0.0.1"}}}},
		{line: "zap", code: codes.Usage},
		{line: "--network=often", code: codes.Usage},
	})
}

func TestResolveAsFlags(t *testing.T) {
	checkFlags(t, NewCmdResolveAs, []flagCase[resolveAsOptions]{
		{line: "zap 3.33.152.147 2600:1f18::1", want: &resolveAsOptions{name: "zap", addrs: []string{"3.33.152.147", "2600:1f18::1"}}},
		{line: "zap --clear --json", want: &resolveAsOptions{name: "zap", addrs: []string{}, clear: true, json: true}},
		{line: "zap", code: codes.Usage},                              // neither addresses nor --clear
		{line: "zap --clear 3.33.152.147", code: codes.Usage},         // both
		{line: "", code: codes.Usage},                                 // no NAME
		{line: "zap --resolve h:443:3.33.152.147", code: codes.Usage}, // the per-run flag is not this one
	})
}
