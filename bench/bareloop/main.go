// Command bareloop is the export benchmark's yardstick as a process of its
// own (bare.Loop): it reads the tickets of FILE, builds each body and
// posts them signed with WORKERS goroutines over one keep-alive net/http
// client to URL, trusting the certificate in CA and signing with the
// secret in SECRET-FILE, with nothing queued or recorded. It exits 1 at
// any failure. It is never installed.
//
//	bareloop FILE URL CA WORKERS SECRET-FILE
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/webriskops/webhook-setup/bench/bare"
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
	// net/http's defaults, as a script would have them, with enough idle
	// connections kept for every worker.
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, MaxIdleConnsPerHost: workers}
	client := &http.Client{Transport: tr, Timeout: 15 * time.Second}
	return bare.Loop(context.Background(), client, u, []string{string(bytes.TrimSpace(secret))}, file, workers)
}
