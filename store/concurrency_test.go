package store

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/delivery"
)

// TestConcurrentWriters has several Store handles write to one new file at
// once: no SQLITE_BUSY surfaces and every write lands.
func TestConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	const handles, each = 4, 15
	var wg sync.WaitGroup
	errs := make(chan error, handles*each)
	for h := range handles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(path, "")
			if err != nil {
				errs <- err
				return
			}
			defer s.Close()
			for i := range each {
				tg := sampleTarget(fmt.Sprintf("h%d-t%d", h, i))
				if err := s.CreateTarget(ctx, &tg, newSecret(), "x"); err != nil {
					errs <- err
					continue
				}
				if _, err := s.RotateSecret(ctx, tg.Name, newSecret(), time.Minute, "x"); err != nil {
					errs <- err
				}
				if err := s.SaveDraft(ctx, fmt.Sprintf("d%d", h), "step", []byte("{}")); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	s, err := Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, _ := s.CountTargets(ctx); n != handles*each {
		t.Errorf("%d targets, want %d", n, handles*each)
	}
	list, _ := s.Targets(ctx, 0, 0)
	for _, tg := range list {
		if creds, err := s.Credentials(ctx, tg.ID, time.Now()); err != nil || len(creds) != 2 {
			t.Errorf("%s: %d credentials, %v", tg.Name, len(creds), err)
		}
	}
}

const helperEnv = "WEBHOOK_SETUP_STORE_HELPER"

// TestMultiProcess runs several processes (this test binary re-executed)
// against one brand-new store: they race to migrate it and create the key,
// then create targets, enqueue and drain a shared outbox. No process may
// see an error, and no delivery may be claimed twice.
func TestMultiProcess(t *testing.T) {
	if os.Getenv(helperEnv) != "" {
		t.Skip("inside a helper")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "shared", "webhook-setup.db")
	const procs = 4
	var wg sync.WaitGroup
	outs := make([]bytes.Buffer, procs)
	errs := make([]error, procs)
	for p := range procs {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.v")
		cmd.Env = append(os.Environ(), helperEnv+"="+path, "HELPER_ID="+fmt.Sprint(p))
		cmd.Stdout = &outs[p]
		cmd.Stderr = &outs[p]
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[p] = cmd.Run()
		}()
	}
	wg.Wait()
	claimedBy := map[string]int{}
	for p := range procs {
		if errs[p] != nil {
			t.Errorf("process %d: %v\n%s", p, errs[p], outs[p].String())
			continue
		}
		sc := bufio.NewScanner(&outs[p])
		for sc.Scan() {
			if id, ok := strings.CutPrefix(sc.Text(), "CLAIMED "); ok {
				if prev, dup := claimedBy[id]; dup {
					t.Errorf("%s claimed by processes %d and %d", id, prev, p)
				}
				claimedBy[id] = p
			}
		}
	}
	s, err := Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, _ := s.CountTargets(ctx); n != procs*10 {
		t.Errorf("%d targets, want %d", n, procs*10)
	}
	all, _ := s.Deliveries(ctx, "", 0)
	if len(all) != procs*10*5 || len(claimedBy) != len(all) {
		t.Errorf("%d deliveries, %d claimed", len(all), len(claimedBy))
	}
	for _, d := range all {
		if d.Status != delivery.StatusDelivered || d.Attempts != 1 {
			t.Errorf("delivery %+v", d)
			break
		}
	}
	if err := s.CheckKey(ctx); err != nil {
		t.Errorf("key after the race: %v", err)
	}
}

// TestHelperProcess is one process of TestMultiProcess.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("only run by TestMultiProcess")
	}
	id := os.Getenv("HELPER_ID")
	s, err := Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 10 {
		name := fmt.Sprintf("p%s-t%d", id, i)
		tg := sampleTarget(name)
		if err := s.CreateTarget(ctx, &tg, newSecret(), "p"+id); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Enqueue(ctx, newDeliveries(name, 5)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Credentials(ctx, tg.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	worker := "proc-" + id
	idle := 0
	for idle < 3 {
		ds, err := s.Claim(ctx, worker, 4, time.Now(), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) == 0 {
			idle++
			// Pacing, not a wait for a condition: the other processes may
			// still be queueing, so an idle worker looks again a few times.
			time.Sleep(20 * time.Millisecond)
			continue
		}
		idle = 0
		var outs []delivery.Outcome
		for _, d := range ds {
			fmt.Println("CLAIMED " + d.ID)
			outs = append(outs, delivery.Outcome{Attempt: delivery.Attempt{DeliveryID: d.ID, HTTPStatus: 204}, Status: delivery.StatusDelivered})
		}
		if err := s.Record(ctx, worker, outs); err != nil {
			t.Fatal(err)
		}
	}
}
