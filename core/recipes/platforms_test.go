package recipes

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core/signing"
)

// The Zapier and n8n recipes are code steps inside a platform. Each is run
// in node by a harness in testdata that stubs exactly what the platform
// provides, with the cases of the signature spec.

func TestZapierCodeStepWithStorage(t *testing.T) {
	t.Parallel()
	node := lookTool(t, "node")
	path := writeRecipe(t, t.TempDir(), "zapier", "zapier.js")
	secret, second := newSecret(t), newSecret(t)
	cases := append(standardCases(t, "zapier", secret, second), payloadCases(t, "zapier", secret)...)
	runs := make([]zapierRun, len(cases))
	for i, c := range cases {
		runs[i] = zapierRun{InputData: zapierInput(c.d, map[string]string{"store_secret": zapierStoreSecret})}
	}
	out := runZapier(t, node, path, zapierHarnessInput{Store: zapierStore(secret + "," + second), Runs: runs})
	for i, c := range cases {
		c.check(t, zapierOutcome(t, c.name, out.Results[i]))
	}
}

func TestZapierCodeStepWithInputSecret(t *testing.T) {
	t.Parallel()
	node := lookTool(t, "node")
	path := writeRecipe(t, t.TempDir(), "zapier", "zapier.js")
	secret, second := newSecret(t), newSecret(t)
	// Without Storage there is no memory between runs: only the cases that
	// need none apply.
	var cases []deliveryCase
	for _, c := range standardCases(t, "zapier", secret, second) {
		switch c.name {
		case "valid", "tampered body", "stale timestamp", "wrong secret", "rotation: only the second entry matches":
			cases = append(cases, c)
		}
	}
	runs := make([]zapierRun, len(cases))
	for i, c := range cases {
		runs[i] = zapierRun{InputData: zapierInput(c.d, map[string]string{"secret": secret})}
	}
	out := runZapier(t, node, path, zapierHarnessInput{Runs: runs})
	for i, c := range cases {
		c.check(t, zapierOutcome(t, c.name, out.Results[i]))
	}
}

// zapierInput maps a delivery to the Input Data keys the recipe asks for,
// as Catch Raw Hook would hand them over: all strings.
func zapierInput(d delivery, secret map[string]string) map[string]string {
	in := map[string]string{
		"raw_body":        string(d.body),
		"timestamp":       d.headers[signing.HeaderTimestamp],
		"nonce":           d.headers[signing.HeaderNonce],
		"signature":       d.headers[signing.HeaderSignature],
		"idempotency_key": d.headers[signing.HeaderIdempotencyKey],
		"event":           d.headers[signing.HeaderEvent],
		"schema":          d.headers[signing.HeaderSchema],
	}
	for k, v := range secret {
		in[k] = v
	}
	return in
}

// zapierOutcome reads a run's end: a thrown error is a refusal (the Zap run
// errors with the reason, as the recipe wants); otherwise the output must
// be {valid: true, duplicate, reason, idempotency_key}.
func zapierOutcome(t *testing.T, name string, out map[string]any) outcome {
	t.Helper()
	if thrown, ok := out["thrown"].(string); ok {
		if reason, found := strings.CutPrefix(thrown, "WEBHOOK_PAYLOAD_INVALID: "); found {
			return outcome{result: "invalid", reason: reason}
		}
		reason, found := strings.CutPrefix(thrown, "WEBHOOK_SIGNATURE_INVALID: ")
		if !found {
			t.Errorf("%s: the step threw %q, want WEBHOOK_SIGNATURE_INVALID: <reason>", name, thrown)
		}
		return outcome{result: "refused", reason: reason}
	}
	valid, ok1 := out["valid"].(bool)
	duplicate, ok2 := out["duplicate"].(bool)
	reason, _ := out["reason"].(string)
	_, ok3 := out["idempotency_key"].(string)
	if !ok1 || !ok2 || !ok3 || reason == "" {
		t.Errorf("%s: output %v lacks valid, duplicate, reason or idempotency_key", name, out)
	}
	switch {
	case !valid:
		t.Errorf("%s: output %v says valid: false instead of throwing: a refusal must show in Zap history", name, out)
		return outcome{result: "refused", reason: reason}
	case duplicate:
		return outcome{result: "duplicate", reason: reason}
	}
	return outcome{result: "accepted", reason: reason}
}

// TestN8nCodeNode runs the spec's cases and the payload cases through the
// n8n recipe in each runtime n8n has, with the secret where that runtime
// lets the Code node read it, and reads the answer Respond to Webhook gives.
func TestN8nCodeNode(t *testing.T) {
	t.Parallel()
	node := lookTool(t, "node")
	path := writeRecipe(t, t.TempDir(), "n8n", "n8n.js")
	for _, rt := range []struct {
		name string
		run  map[string]any // the runtime and where the secret is
	}{
		{"1.x, secret in $env", map[string]any{"runtime": "1.x", "allowBuiltin": "crypto"}},
		{"2.x internal runner, secret in the workflow", map[string]any{"runtime": "2.x-internal", "allowBuiltin": "crypto", "workflowSecret": true}},
		{"2.x external runner, secret in the workflow", map[string]any{"runtime": "2.x-external", "workflowSecret": true}},
		{"n8n Cloud, secret in the workflow", map[string]any{"runtime": "cloud", "allowBuiltin": "crypto", "workflowSecret": true}},
		{"1.x with env access blocked, secret in $vars", map[string]any{"runtime": "1.x", "allowBuiltin": "crypto", "blockEnv": true, "vars": true}},
	} {
		t.Run(rt.name, func(t *testing.T) {
			t.Parallel()
			secret, second := newSecret(t), newSecret(t)
			both := secret + "," + second
			cases := append(standardCases(t, "n8n", secret, second), payloadCases(t, "n8n", secret)...)
			runs := make([]map[string]any, len(cases))
			for i, c := range cases {
				run := n8nRun(c.d, map[string]any{"env": map[string]string{SecretEnv: both}})
				for k, v := range rt.run {
					switch k {
					case "workflowSecret":
						run[k] = both
					case "vars":
						run[k] = map[string]string{SecretEnv: both}
					default:
						run[k] = v
					}
				}
				runs[i] = run
			}
			var outs []json.RawMessage
			runHarness(t, node, "n8n_harness.js", path, map[string]any{"runs": runs}, &outs)
			for i, c := range cases {
				c.check(t, n8nOutcome(t, c.name, outs[i]))
			}
		})
	}
}

// A Code node that cannot verify says why, with 500, so WebRiskOps retries
// and shows the reason, instead of refusing every delivery as unsigned.
func TestN8nCodeNodeCannotVerify(t *testing.T) {
	t.Parallel()
	node := lookTool(t, "node")
	path := writeRecipe(t, t.TempDir(), "n8n", "n8n.js")
	secret := newSecret(t)
	d := sign(t, []string{secret}, "n8n_misconfigured", nowUnix(), exportBody("n8n_misconfigured"))
	cases := []struct {
		name, reason string
		run          map[string]any
	}{
		{"2.x internal runner without crypto allowed", "NODE_FUNCTION_ALLOW_BUILTIN=crypto",
			map[string]any{"runtime": "2.x-internal", "workflowSecret": secret}},
		{"2.x external runner, secret only in $env", "WORKFLOW_SECRET",
			map[string]any{"runtime": "2.x-external", "env": map[string]string{SecretEnv: secret}}},
		{"n8n Cloud, no secret anywhere", "WORKFLOW_SECRET", map[string]any{"runtime": "cloud", "allowBuiltin": "crypto"}},
	}
	runs := make([]map[string]any, len(cases))
	for i, c := range cases {
		runs[i] = n8nRun(d, c.run)
	}
	var outs []json.RawMessage
	runHarness(t, node, "n8n_harness.js", path, map[string]any{"runs": runs}, &outs)
	for i, c := range cases {
		got := n8nOutcome(t, c.name, outs[i])
		if got.result != "error" || !strings.Contains(got.reason, c.reason) {
			t.Errorf("%s: got %s (%q), want 500 naming %s", c.name, got.result, got.reason, c.reason)
		}
	}
}

func n8nRun(d delivery, extra map[string]any) map[string]any {
	run := map[string]any{"headers": d.lowerHeaders(), "bodyBase64": base64.StdEncoding.EncodeToString(d.body)}
	for k, v := range extra {
		run[k] = v
	}
	return run
}

// n8nOutcome reads the answer Respond to Webhook gives for one run, and
// checks it against the item the Code node returned.
func n8nOutcome(t *testing.T, name string, raw json.RawMessage) outcome {
	t.Helper()
	var run struct {
		Thrown string `json:"thrown"`
		Items  []struct {
			JSON struct {
				Outcome string `json:"outcome"`
				Reason  string `json:"reason"`
			} `json:"json"`
		} `json:"items"`
		Status int             `json:"status"`
		Body   json.RawMessage `json:"body"`
	}
	if err := json.Unmarshal(raw, &run); err != nil || run.Thrown != "" || len(run.Items) != 1 {
		t.Errorf("%s: the Code node gave %s, want one item", name, raw)
		return outcome{}
	}
	it := run.Items[0].JSON
	switch run.Status {
	case 200:
		var body struct {
			Status string `json:"status"`
		}
		if err := json.Unmarshal(run.Body, &body); err != nil || body.Status != it.Outcome {
			t.Errorf("%s: 200 %s for outcome %s", name, run.Body, it.Outcome)
		}
		return outcome{result: body.Status, reason: it.Reason}
	case 401:
		return outcome{result: "refused", reason: refusalBody(t, name, run.Body)}
	case 400:
		return outcome{result: "invalid", reason: payloadRefusalBody(t, name, run.Body)}
	case 500, 503:
		var body struct {
			Reason string `json:"reason"`
		}
		_ = json.Unmarshal(run.Body, &body)
		return outcome{result: it.Outcome, reason: body.Reason}
	}
	t.Errorf("%s: status %d, body %s", name, run.Status, run.Body)
	return outcome{}
}

// runHarness runs testdata/<harness> on the recipe at path with input as
// its stdin and decodes its JSON output into out.
func runHarness(t *testing.T, node, harness, path string, input any, out any) {
	t.Helper()
	in, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join("testdata", harness), path)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", harness, err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		t.Fatalf("%s printed %q: %v", harness, stdout.String(), err)
	}
}
