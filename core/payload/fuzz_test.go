package payload

import (
	"errors"
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core/codes"
)

// FuzzParseTickets feeds arbitrary input to ParseTickets: it must never
// panic, every refusal must be PayloadInvalid, and every ticket it hands
// over must pass the ticket schema again on its own.
func FuzzParseTickets(f *testing.F) {
	for _, s := range []string{t1, t2, "[" + t1 + "," + t2 + "]", t1 + "\n" + t2, "", "[]", "{}", "[null]", "\xef\xbb\xbf" + t1} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		n := 0
		err := ParseTickets(strings.NewReader(string(input)), func(tk Ticket) error {
			n++
			if err := ValidateTicket(tk); err != nil {
				t.Fatalf("ticket %d accepted but does not re-validate: %v\n%+v", n, err, tk)
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
