package store

import (
	"os"
	"testing"
)

// The background checkpoint copies the log into the database file, and
// Close waits for it. Another connection stays open, so Close's own
// checkpoint (the last connection's) does not run: whatever reaches the
// file is the background checkpoint's.
func TestCheckpointInBackground(t *testing.T) {
	s := openTemp(t)
	mustCreate(t, s, "hook")
	if _, err := s.Enqueue(ctx, newDeliveries("hook", 300)); err != nil {
		t.Fatal(err)
	}
	other := rawDB(t, s.Path())
	var n int
	if err := other.QueryRow(`SELECT COUNT(*) FROM deliveries`).Scan(&n); err != nil || n != 300 {
		t.Fatalf("other connection: %d rows, %v", n, err)
	}
	before := fileSize(t, s.Path())
	s.CheckpointInBackground()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if after := fileSize(t, s.Path()); after <= before {
		t.Fatalf("the database file stayed at %d bytes (was %d): nothing was checkpointed", after, before)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
