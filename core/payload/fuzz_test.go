package payload

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

// FuzzParseTickets feeds arbitrary input to ParseTickets: it must never
// panic, every refusal must be PayloadInvalid, every ticket it hands over
// must pass the ticket schema again on its own, and the body Build makes
// of it (checking only the envelope, since the ticket is checked) must
// pass the full body schema.
func FuzzParseTickets(f *testing.F) {
	for _, s := range []string{t1, t2, "[" + t1 + "," + t2 + "]", t1 + "\n" + t2, "", "[]", "{}", "[null]", "\xef\xbb\xbf" + t1,
		t3, `{"title":"\u00e9\ud83d\ude00 <&>","description":"\u0000\t\"","severity":"info","kind":"finding","finding_id":" x ","labels":[]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		n := 0
		err := ParseTickets(strings.NewReader(string(input)), func(tk Ticket) error {
			n++
			if err := ValidateTicket(tk); err != nil {
				t.Fatalf("ticket %d accepted but does not re-validate: %v\n%+v", n, err, tk)
			}
			body, err := Build(docTarget, "generic_webhook", tk, docKey, false, docNow)
			if err != nil {
				t.Fatalf("ticket %d accepted but Build refuses it: %v\n%+v", n, err, tk)
			}
			if err := ValidateBody(body); err != nil {
				t.Fatalf("ticket %d: Build made a body the schema refuses: %v\n%s", n, err, body)
			}
			return nil
		})
		if err != nil {
			var e *codes.Error
			if !errors.As(err, &e) || e.Code != codes.PayloadInvalid {
				t.Fatalf("refusal is not %s: %#v", codes.PayloadInvalid, err)
			}
		} else if n == 0 {
			t.Fatal("accepted input without tickets")
		}
	})
}

// t3 has every optional field at its limits.
var t3 = `{"title":"` + strings.Repeat("é", 200) + `","description":"` + strings.Repeat("d", 20000) +
	`","severity":"critical","kind":"fix_task","finding_id":"` + strings.Repeat("f", 200) +
	`","report_url":"http://reports.internal:8080/f?id=1#top","labels":["a","b","` + strings.Repeat("l", 100) + `"],"due_date":"2024-02-29"}`

// TestBuildCheckedAgreesWithSchema: for a ticket from ParseTickets, Build
// checks only the envelope around it. Whatever the envelope, it must
// accept and refuse exactly what the full schema check does, with the
// same body and the same reasons.
func TestBuildCheckedAgreesWithSchema(t *testing.T) {
	parsed, err := collect(t2 + "\n" + t3)
	if err != nil {
		t.Fatal(err)
	}
	year := func(y int) time.Time { return time.Date(y, 1, 2, 3, 4, 5, 0, time.UTC) }
	for _, c := range []struct {
		target TargetRef
		prov   string
		key    string
		now    time.Time
	}{
		{docTarget, "generic_webhook", docKey, docNow},
		{TargetRef{ID: strings.Repeat("é", 200), Name: "a"}, "webhook", strings.Repeat("k", 128), docNow},
		{TargetRef{ID: "t", Name: "0" + strings.Repeat("-", 62)}, "zapier_webhook", "a.b:c-d_e", docNow},
		{TargetRef{ID: "t", Name: "x"}, "make_webhook", "k", year(9999)},
		{TargetRef{ID: "t", Name: "x"}, "n8n_webhook", "k", year(0)},
		{docTarget, "jira", docKey, docNow},
		{docTarget, "", docKey, docNow},
		{TargetRef{Name: "x"}, "webhook", docKey, docNow},
		{TargetRef{ID: strings.Repeat("é", 201), Name: "x"}, "webhook", docKey, docNow},
		{TargetRef{ID: "\xff", Name: "x"}, "webhook", docKey, docNow},
		{TargetRef{ID: "t", Name: ""}, "webhook", docKey, docNow},
		{TargetRef{ID: "t", Name: "-x"}, "webhook", docKey, docNow},
		{TargetRef{ID: "t", Name: "Bad"}, "webhook", docKey, docNow},
		{TargetRef{ID: "t", Name: strings.Repeat("a", 64)}, "webhook", docKey, docNow},
		{TargetRef{ID: "t", Name: "a_b"}, "webhook", docKey, docNow},
		{docTarget, "webhook", "", docNow},
		{docTarget, "webhook", "a b", docNow},
		{docTarget, "webhook", strings.Repeat("k", 129), docNow},
		{docTarget, "webhook", docKey, year(10000)},
		{docTarget, "webhook", docKey, year(-1)},
	} {
		for _, tk := range parsed {
			if !tk.checked {
				t.Fatal("ParseTickets did not mark its ticket checked")
			}
			plain := tk
			plain.checked = false
			got, gotErr := Build(c.target, c.prov, tk, c.key, false, c.now)
			want, wantErr := Build(c.target, c.prov, plain, c.key, false, c.now)
			if string(got) != string(want) || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Errorf("%+v %q %q %v: checked ticket gives %v, the full check %v", c.target, c.prov, c.key, c.now, gotErr, wantErr)
			}
			if gotErr == nil {
				if err := ValidateBody(got); err != nil {
					t.Errorf("%+v %q %q: body refused by the schema: %v", c.target, c.prov, c.key, err)
				}
			}
		}
	}
}
