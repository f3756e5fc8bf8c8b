// Command bareloop is the export benchmark's yardstick as a process of its
// own: what a script without the outbox would do. It reads the tickets of
// FILE (payload.ParseTickets, the same schema check) and builds each body
// (payload.Build) on one goroutine, and posts them signed
// (delivery.NewRequest) with WORKERS goroutines over one keep-alive
// client to URL, trusting the certificate in CA, with nothing queued or
// recorded. It exits 1 at the first failure. It is never installed.
//
//	bareloop FILE URL CA WORKERS SECRET-FILE
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/core/payload"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bareloop:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 5 {
		return fmt.Errorf("usage: bareloop FILE URL CA WORKERS SECRET-FILE")
	}
	file, rawURL, caFile := args[0], args[1], args[2]
	workers, err := strconv.Atoi(args[3])
	if err != nil || workers < 1 {
		return fmt.Errorf("WORKERS: want a positive number, got %q", args[3])
	}
	secret, err := os.ReadFile(args[4])
	if err != nil {
		return err
	}
	secrets := []string{string(bytes.TrimSpace(secret))}
	u, err := url.Parse(rawURL)
	if err != nil {
		return err
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return fmt.Errorf("%s holds no certificate", caFile)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, MaxIdleConnsPerHost: workers}
	client := &http.Client{Transport: tr, Timeout: 15 * time.Second}
	type req struct {
		key  string
		body []byte
	}
	ctx := context.Background()
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
	if err != nil {
		return err
	}
	defer f.Close()
	now := time.Now()
	err = payload.ParseTickets(f, func(tk payload.Ticket) error {
		key := delivery.ExportKey("bench", tk, "bare")
		body, err := payload.Build(payload.TargetRef{ID: "bench", Name: "bench"}, "generic_webhook", tk, key, false, now)
		if err == nil {
			next <- req{key, body}
		}
		return err
	})
	close(next)
	wg.Wait()
	if err != nil {
		return err
	}
	return failed
}
