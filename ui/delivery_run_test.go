package ui

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
)

// TestRunErrorMostSeriousFirst: blocked (3) beats a rejected signature (5),
// which beats failed (4), which beats still queued (75); all delivered is nil.
func TestRunErrorMostSeriousFirst(t *testing.T) {
	rep := func(st delivery.Status, code codes.Code) delivery.Report {
		return delivery.Report{ID: "dlv_" + string(st), Status: st, LastCode: string(code)}
	}
	sum := func(rs ...delivery.Report) delivery.Summary { return summaryOf(rs) }
	cases := []struct {
		sum  delivery.Summary
		code codes.Code
		exit int
	}{
		{sum(rep(delivery.StatusDelivered, "")), "", 0},
		{sum(rep(delivery.StatusPending, codes.DeliveryFailed), rep(delivery.StatusDelivered, "")), codes.DeliveryQueued, 75},
		{sum(rep(delivery.StatusFailed, codes.EndpointGone), rep(delivery.StatusPending, "")), codes.DeliveryFailed, 4},
		{sum(rep(delivery.StatusFailed, codes.EndpointGone), rep(delivery.StatusFailed, codes.SignatureInvalid)), codes.SignatureInvalid, 5},
		{sum(rep(delivery.StatusFailed, codes.SignatureInvalid), rep(delivery.StatusBlocked, codes.RedirectBlocked)), codes.RedirectBlocked, 3},
		{sum(rep(delivery.StatusBlocked, codes.TargetNotFound)), codes.BaseURLBlocked, 3},
	}
	for i, c := range cases {
		e := runError(c.sum, "/fallback")
		if c.code == "" {
			if e != nil {
				t.Errorf("%d: %v", i, e)
			}
			continue
		}
		if e == nil || e.Code != c.code || codes.ExitCode(e) != c.exit {
			t.Errorf("%d: got %v, want %s (exit %d)", i, e, c.code, c.exit)
		}
	}
	if e := runError(sum(rep(delivery.StatusPending, "")), "/f"); !strings.Contains(e.Reason, "still queued; run deliveries drain") {
		t.Errorf("queued reason %q", e.Reason)
	}
}

// TestTestSendExitCodes: 3 for safety and missing secrets, 5 for the
// signature, 4 for everything else (PROVIDER_AUTH_REQUIRED included).
func TestTestSendExitCodes(t *testing.T) {
	for code, exit := range map[codes.Code]int{
		codes.RedirectBlocked: 3, codes.BaseURLBlocked: 3, codes.URLUnsafe: 3, codes.SecretMissing: 3,
		codes.SignatureInvalid: 5, codes.AuthRequired: 4, codes.EndpointGone: 4, codes.DeliveryFailed: 4,
		codes.DeliveryRejected: 4,
	} {
		got := testSendResult{Code: code}.exitCode()
		if codes.Info(got).Exit != exit {
			t.Errorf("%s exits %d, want %d", code, codes.Info(got).Exit, exit)
		}
	}
	if (testSendResult{Delivered: true}).exitCode() != "" {
		t.Error("a delivered test has an exit code")
	}
}

// TestWriteSummaryJSONMatchesWriteJSON: the streamed form is byte for byte
// what writeJSON prints.
func TestWriteSummaryJSONMatchesWriteJSON(t *testing.T) {
	for _, rs := range [][]delivery.Report{
		{},
		{
			{ID: "dlv_1", IdempotencyKey: "wro_1", Status: delivery.StatusDelivered, Attempts: 1},
			{ID: "dlv_2", IdempotencyKey: "wro_2", Status: delivery.StatusFailed, Attempts: 8, LastCode: "X", FallbackPath: "/a&b<c>"},
		},
	} {
		sum := summaryOf(rs)
		var want, got bytes.Buffer
		writeJSON(&want, struct {
			Delivered  int               `json:"delivered"`
			Failed     int               `json:"failed"`
			Blocked    int               `json:"blocked"`
			Pending    int               `json:"pending"`
			Deliveries []delivery.Report `json:"deliveries"`
		}{sum.Delivered, sum.Failed, sum.Blocked, sum.Pending, rs})
		if err := writeSummaryJSON(&got, sum); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Fatalf("streamed:\n%s\nwriteJSON:\n%s", got.String(), want.String())
		}
	}
}

// TestCurlQuotesForTheShell: a body with single quotes survives sh.
func TestCurlQuotesForTheShell(t *testing.T) {
	body := `{"title":"it's a 'test'"}`
	c := capturedRequest{Method: "POST", URL: "https://example.com/x", Headers: map[string]string{"Content-Type": "application/json"}, Body: body}
	cmd := c.curl(true, "")
	script := "curl() { for a in \"$@\"; do last=$prev; prev=$a; done; printf '%s' \"$last\"; }\n" + cmd
	out, err := exec.Command("sh", "-c", script).Output()
	if err != nil || string(out) != body {
		t.Fatalf("sh saw %q (%v) from:\n%s", out, err, cmd)
	}
}

// summaryOf is the summary of a run that reported rs.
func summaryOf(rs []delivery.Report) delivery.Summary {
	s := delivery.Summary{Reports: delivery.NewReports()}
	for _, r := range rs {
		s.Reports.Add(r)
		s.Count(r)
	}
	return s
}
