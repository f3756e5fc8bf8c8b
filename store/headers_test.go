package store

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

// edgeTarget is sampleTarget with the Standard Webhooks profile and an
// edge header named as Make names it.
func edgeTarget(name string) core.Target {
	tg := sampleTarget(name)
	tg.StandardWebhooks = true
	tg.EdgeAuth = &core.EdgeAuth{Header: "x-make-apikey"}
	return tg
}

// TestEdgeValueSealedAndReadBack: a target saved with an edge header reads
// back with its header name, fingerprint and profile; EdgeValue opens the
// value; the value is nowhere in the database, -wal or -shm files nor in
// the audit log, after creating, rotating and updating.
func TestEdgeValueSealedAndReadBack(t *testing.T) {
	s := openTemp(t)
	value := "EDGEVALUE-" + newSecret()
	tg := edgeTarget("edge")
	if err := s.CreateTargetWithEdge(ctx, &tg, newSecret(), value, "tester"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Target(ctx, "edge")
	if err != nil {
		t.Fatal(err)
	}
	if !got.StandardWebhooks || got.EdgeAuth == nil || got.EdgeAuth.Header != "x-make-apikey" ||
		!strings.HasPrefix(got.EdgeAuth.Fingerprint, "sha256:") {
		t.Fatalf("read back %+v / %+v", got, got.EdgeAuth)
	}
	h, ok, err := s.EdgeValue(ctx, got.ID)
	if err != nil || !ok || h.Name != "x-make-apikey" || h.Value != value {
		t.Fatalf("EdgeValue = %+v, %v, %v", h, ok, err)
	}

	rotated := "EDGEVALUE-" + newSecret()
	saved, err := s.RotateEdge(ctx, "edge", "", rotated, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if saved.EdgeAuth.Fingerprint == got.EdgeAuth.Fingerprint || saved.Version != got.Version+1 {
		t.Fatalf("rotation: %+v version %d", saved.EdgeAuth, saved.Version)
	}
	if h, _, _ := reopen(t, s).EdgeValue(ctx, got.ID); h.Value != rotated {
		t.Fatalf("after rotation EdgeValue = %q", h.Value)
	}
	// Renaming the header keeps the value; dropping the profile keeps the row.
	upd := saved
	upd.EdgeAuth = &core.EdgeAuth{Header: "X-Proxy-Token"}
	upd.StandardWebhooks = false
	if err := s.UpdateTarget(ctx, &upd, "tester"); err != nil {
		t.Fatal(err)
	}
	if h, _, _ := s.EdgeValue(ctx, got.ID); h.Name != "X-Proxy-Token" || h.Value != rotated {
		t.Fatalf("after rename EdgeValue = %+v", h)
	}
	if got, _ := s.Target(ctx, "edge"); got.StandardWebhooks || got.EdgeAuth.Fingerprint != saved.EdgeAuth.Fingerprint {
		t.Fatalf("after update %+v %+v", got, got.EdgeAuth)
	}

	for _, f := range []string{s.Path(), s.Path() + "-wal", s.Path() + "-shm"} {
		data, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue
		}
		for _, v := range []string{value, rotated} {
			if bytes.Contains(data, []byte(v)) {
				t.Errorf("%s holds an edge value in the clear", f)
			}
		}
	}
	events, err := s.Audit(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if strings.Contains(e.Detail, value) || strings.Contains(e.Detail, rotated) {
			t.Errorf("audit %s holds an edge value", e.Action)
		}
	}
}

// TestEdgeRefusalsWriteNothing: a header without value, a value without
// header, a bad header name and a short value are refused with their codes
// and the database is unchanged.
func TestEdgeRefusalsWriteNothing(t *testing.T) {
	s := openTemp(t)
	mustCreate(t, s, "plain")
	before := dump(t, s.Path())
	long := "EDGEVALUE-" + newSecret()
	for _, c := range []struct {
		header, value string
		want          codes.Code
	}{
		{"x-make-apikey", "", codes.EdgeValueMissing},
		{"", long, codes.EdgeValueMissing},
		{"X-WebRiskOps-Signature", long, codes.EdgeHeaderInvalid},
		{"webhook-id", long, codes.EdgeHeaderInvalid},
		{"Host", long, codes.EdgeHeaderInvalid},
		{"bad header", long, codes.EdgeHeaderInvalid},
		{"x-make-apikey", "short", codes.EdgeValueInvalid},
		{"x-make-apikey", "new\nline-0123456789", codes.EdgeValueInvalid},
	} {
		tg := sampleTarget("new")
		if c.header != "" {
			tg.EdgeAuth = &core.EdgeAuth{Header: c.header}
		}
		wantCode(t, s.CreateTargetWithEdge(ctx, &tg, newSecret(), c.value, "x"), c.want)
		if c.header != "" {
			_, err := s.RotateEdge(ctx, "plain", c.header, c.value, "x")
			wantCode(t, err, c.want)
		}
	}
	if after := dump(t, s.Path()); after != before {
		t.Fatalf("a refusal changed the database:\n%s\n---\n%s", before, after)
	}
}

// TestDisconnectRemovesEdge: the edge value goes with its target.
func TestDisconnectRemovesEdge(t *testing.T) {
	s := openTemp(t)
	tg := edgeTarget("edge")
	if err := s.CreateTargetWithEdge(ctx, &tg, newSecret(), "EDGEVALUE-"+newSecret(), "x"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteTarget(ctx, "edge", "x"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s.Path(), "target_headers"); n != 0 {
		t.Fatalf("%d target_headers rows left", n)
	}
}
