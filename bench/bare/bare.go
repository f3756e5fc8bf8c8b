// Package bare is the export benchmark's yardstick: what a script without
// the outbox would do. bench/bareloop runs it as a process of its own (the
// budget's reference, docs/performance.md item 4); the benchmark also runs
// it inside its own process, beside the receiver.
package bare

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/core/payload"
)

// Loop reads the tickets of file (payload.ParseTickets, the same schema
// check as export) and builds each body (payload.Build) on one goroutine,
// and posts them signed with secrets (delivery.NewRequest) with workers
// goroutines over client to u, with nothing queued or recorded. An answer
// other than 200 is a failure; Loop returns the first one after every
// ticket was tried.
func Loop(ctx context.Context, client *http.Client, u *url.URL, secrets []string, file string, workers int) error {
	type req struct {
		key  string
		body []byte
	}
	var wg sync.WaitGroup
	var once sync.Once
	var failed error
	fail := func(err error) { once.Do(func() { failed = err }) }
	next := make(chan req, 4*workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range next {
				hr, err := delivery.NewRequest(ctx, u, secrets, r.key, r.body, time.Now())
				if err == nil {
					var resp *http.Response
					if resp, err = client.Do(hr); err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							err = fmt.Errorf("status %d", resp.StatusCode)
						}
					}
				}
				if err != nil {
					fail(err)
				}
			}
		}()
	}
	f, err := os.Open(file)
	if err == nil {
		now := time.Now()
		err = payload.ParseTickets(f, func(tk payload.Ticket) error {
			key := delivery.ExportKey("bench", tk, "bare")
			body, err := payload.Build(payload.TargetRef{ID: "bench", Name: "bench"}, "generic_webhook", tk, key, false, now)
			if err == nil {
				next <- req{key, body}
			}
			return err
		})
		f.Close()
	}
	close(next)
	wg.Wait()
	if err != nil {
		return err
	}
	return failed
}
