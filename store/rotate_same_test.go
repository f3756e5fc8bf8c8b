package store

import (
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

// TestRotateToSameSecretRefused: rotating to the secret already in use is
// refused with codes.SecretUnchanged and changes nothing: no new
// credential, no version bump, no "secret.rotate" event. A real rotation
// afterwards still works.
func TestRotateToSameSecretRefused(t *testing.T) {
	s := openTemp(t)
	tg, sec := mustCreate(t, s, "alpha")
	before := dump(t, s.Path())
	_, err := s.RotateSecret(ctx, "alpha", sec, time.Hour, "tester")
	wantCode(t, err, codes.SecretUnchanged)
	if after := dump(t, s.Path()); after != before {
		t.Errorf("a refused rotation changed the store:\n%s\nthen\n%s", before, after)
	}
	saved, err := s.RotateSecret(ctx, "alpha", newSecret(), time.Hour, "tester")
	if err != nil || saved.Version != tg.Version+1 {
		t.Fatalf("a real rotation: version %d, %v", saved.Version, err)
	}
	// The previous secret, still inside its grace, is not the current one:
	// rotating back to it is a real rotation.
	if _, err := s.RotateSecret(ctx, "alpha", sec, 0, "tester"); err != nil {
		t.Errorf("rotating back to the previous secret: %v", err)
	}
}
