package payload

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestSpoolTicketsReadsBackWhatWasChecked: every ticket comes back as
// ParseTickets gave it, in order, marked checked; the spool is not visible
// in TMPDIR; an invalid ticket anywhere spools nothing.
func TestSpoolTicketsReadsBackWhatWasChecked(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var in strings.Builder
	for i := range 300 {
		fmt.Fprintf(&in, `{"title":"Finding %d","description":"ü %d","severity":"high","kind":"finding","finding_id":"fnd_%d","labels":["a","b%d"],"report_url":"https://example.com/r/%d"}`+"\n", i, i, i, i, i)
	}
	var want []Ticket
	if err := ParseTickets(strings.NewReader(in.String()), func(tk Ticket) error { want = append(want, tk); return nil }); err != nil {
		t.Fatal(err)
	}
	s, err := SpoolTickets(strings.NewReader(in.String()))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Fatalf("the spool is visible in TMPDIR: %v", left)
	}
	if s.Len() != 300 {
		t.Fatalf("Len = %d", s.Len())
	}
	for pass := range 2 { // it can be read more than once
		i := 0
		err := s.Each(func(tk Ticket) error {
			if fmt.Sprint(tk) != fmt.Sprint(want[i]) || !tk.checked {
				t.Fatalf("pass %d, ticket %d = %+v, want %+v", pass, i, tk, want[i])
			}
			i++
			return nil
		})
		if err != nil || i != 300 {
			t.Fatalf("pass %d read %d: %v", pass, i, err)
		}
	}
	bad := in.String() + `{"title":"x"}` + "\n"
	if _, err := SpoolTickets(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "ticket 301") {
		t.Fatalf("an invalid ticket was spooled: %v", err)
	}
}
