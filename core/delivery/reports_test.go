package delivery

import (
	"fmt"
	"os"
	"testing"
)

// TestReportsSpoolKeepsOrderAndChanges: 5,000 reports, far beyond what
// stays in memory, read back in order with their last changes; Find finds
// each by id and nothing else; the spool file is gone from the folder at
// once (unlinked) and nothing remains after Close.
func TestReportsSpoolKeepsOrderAndChanges(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	r := NewReports()
	const n = 5000
	for i := range n {
		r.Add(Report{ID: fmt.Sprintf("dlv_%05d", i), IdempotencyKey: fmt.Sprintf("wro_%032d", i), Status: StatusPending})
	}
	if _, isFile := r.spool.(*os.File); !isFile {
		t.Fatalf("%d reports still spooled in memory", n)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Fatalf("the spool is visible in TMPDIR: %v", left)
	}
	r.Set(7, Report{Status: StatusFailed, Attempts: 8, LastCode: "WEBHOOK_DELIVERY_FAILED", FallbackPath: "/fb/7"})
	r.Set(4999, Report{Status: StatusDelivered, Attempts: 1})
	if i, ok := r.Find("dlv_04321"); !ok || i != 4321 || r.ID(i) != "dlv_04321" {
		t.Fatalf("Find = %d %v", i, ok)
	}
	if _, ok := r.Find("dlv_x"); ok {
		t.Fatal("Find found an id never added")
	}
	i := 0
	err := r.Each(func(rep Report) error {
		want := Report{ID: fmt.Sprintf("dlv_%05d", i), IdempotencyKey: fmt.Sprintf("wro_%032d", i), Status: StatusPending}
		switch i {
		case 7:
			want.Status, want.Attempts, want.LastCode, want.FallbackPath = StatusFailed, 8, "WEBHOOK_DELIVERY_FAILED", "/fb/7"
		case 4999:
			want.Status, want.Attempts = StatusDelivered, 1
		}
		if rep != want {
			t.Fatalf("report %d = %+v, want %+v", i, rep, want)
		}
		i++
		return nil
	})
	if err != nil || i != n {
		t.Fatalf("Each read %d of %d: %v", i, n, err)
	}
	if got := r.Get(7); got.FallbackPath != "/fb/7" || got.IdempotencyKey != fmt.Sprintf("wro_%032d", 7) {
		t.Fatalf("Get(7) = %+v", got)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
}
