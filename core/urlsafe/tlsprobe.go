package urlsafe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

// Certificate is what a TLS handshake with an endpoint showed: its leaf
// certificate's dates and names, and whether the chain verifies for the
// host at the time of the check.
type Certificate struct {
	Subject  string    `json:"subject"`
	Issuer   string    `json:"issuer"`
	NotAfter time.Time `json:"not_after"`
	// DaysLeft is whole days until NotAfter; negative once expired.
	DaysLeft int  `json:"days_left"`
	Valid    bool `json:"valid"`
	// Problem says why the chain does not verify ("" when Valid).
	Problem string `json:"problem,omitempty"`
}

// Handshake connects to u through client (from NewClient or
// NewRehearsalClient, so the same pinned addresses and connect-time policy
// checks apply), completes a TLS handshake and closes the connection: no
// HTTP request is sent. The chain is verified afterwards against the
// client's roots (the system's when it has none) for u's host at now, so
// an expired or untrusted certificate is still described, not only
// refused.
func Handshake(ctx context.Context, client *http.Client, u *url.URL, now time.Time) (Certificate, error) {
	// The transport of NewClient and NewRehearsalClient, whose dialer
	// connects only to the pinned addresses.
	tr, ok := client.Transport.(*http.Transport)
	if !ok || tr.DialContext == nil {
		return Certificate{}, codes.Errorf(codes.Internal, "Handshake needs a client made by this package")
	}
	port, err := endpointPort(u)
	if err != nil {
		return Certificate{}, err
	}
	host := u.Hostname()
	raw, err := tr.DialContext(ctx, "tcp", net.JoinHostPort(host, port))
	if err != nil {
		return Certificate{}, err
	}
	defer raw.Close()
	if d, ok := ctx.Deadline(); ok {
		_ = raw.SetDeadline(d)
	} else {
		_ = raw.SetDeadline(time.Now().Add(tlsHandshakeTimeout))
	}
	// The chain is verified by hand below, so that an expired certificate
	// can be described; nothing but the handshake crosses this connection.
	conn := tls.Client(raw, &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12, InsecureSkipVerify: true}) //nolint:gosec // verified below
	if err := conn.HandshakeContext(ctx); err != nil {
		return Certificate{}, fmt.Errorf("TLS handshake with %s: %w", host, err)
	}
	defer conn.Close()
	peers := conn.ConnectionState().PeerCertificates
	if len(peers) == 0 {
		return Certificate{}, fmt.Errorf("TLS handshake with %s: no certificate was presented", host)
	}
	leaf := peers[0]
	c := Certificate{Subject: leaf.Subject.String(), Issuer: leaf.Issuer.String(), NotAfter: leaf.NotAfter.UTC(),
		DaysLeft: int(leaf.NotAfter.Sub(now).Hours() / 24)}
	if leaf.NotAfter.Before(now) && c.DaysLeft == 0 {
		c.DaysLeft = -1
	}
	inter := x509.NewCertPool()
	for _, p := range peers[1:] {
		inter.AddCert(p)
	}
	var roots *x509.CertPool
	if cfg := tr.TLSClientConfig; cfg != nil {
		roots = cfg.RootCAs
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: roots, Intermediates: inter, CurrentTime: now}); err != nil {
		c.Problem = err.Error()
	} else {
		c.Valid = true
	}
	return c, nil
}
