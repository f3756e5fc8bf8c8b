package delivery_test

import (
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/delivery"
)

// TestRunsHoldOneConnectionPerWorker: an export and a drain open at most
// one connection (one TLS handshake) per worker to their receiver, however
// quickly it answers. Without the bound, a worker whose next request
// starts before its last connection is back in the pool dials another
// (4 workers were seen to open up to 9 connections over 2,000 exports).
func TestRunsHoldOneConnectionPerWorker(t *testing.T) {
	s, tg := openStore(t)
	// Unpaced, so answers come back as fast as the receiver gives them.
	settings := flowSettings()
	settings.RateLimit = core.RateLimit{Requests: 1000000, PerSeconds: 1}
	rc := newReceiver(t, nil)
	const tickets = 300
	res, err := delivery.Export(ctx, delivery.ExportOptions{Settings: settings, Store: s, Target: tg,
		Tickets: spool(t, tickets), Count: tickets, Rehearsal: rc.rehearsal(), Resolver: noResolver, MaxAttempts: 3,
		Wait: time.Minute, FallbackDir: t.TempDir(), Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	if res.Err != nil || res.Delivered != tickets {
		t.Fatalf("export: %+v", res)
	}
	if got := rc.connections(); got > 3 {
		t.Errorf("the export's 3 workers opened %d connections, want at most 3", got)
	}

	rd := newReceiver(t, nil)
	queued, err := delivery.Export(ctx, delivery.ExportOptions{Settings: settings, Store: s, Target: tg,
		Tickets: spool(t, tickets), Count: tickets, Rehearsal: rd.rehearsal(), Resolver: noResolver, MaxAttempts: 3})
	if err != nil {
		t.Fatal(err)
	}
	queued.Close()
	sum, err := delivery.RunSetup{Settings: settings, Store: s, Rehearsal: rd.rehearsal(), FallbackDir: t.TempDir(),
		Workers: 2}.Runner().Run(ctx, delivery.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sum.Close()
	if sum.Delivered != tickets || rd.count() != tickets {
		t.Fatalf("drain: %+v, receiver saw %d", sum, rd.count())
	}
	if got := rd.connections(); got > 2 {
		t.Errorf("the drain's 2 workers opened %d connections, want at most 2", got)
	}
}
