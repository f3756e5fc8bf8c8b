package ui

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

// maxPEMFile bounds the PEM files read (--ca-file, --tls-cert, --tls-key):
// the largest system CA bundles are well under 1 MiB.
const maxPEMFile = 4 << 20

// loadCAFile reads a PEM file of certificates to trust (--ca-file): the
// certificate of a rehearsal receiver such as `receive --self-signed`.
func loadCAFile(path string) (*x509.CertPool, error) {
	b, err := readFileMax(path, maxPEMFile)
	if err != nil {
		return nil, codes.Errorf(codes.Usage, "--ca-file %s: %v", path, unwrapPathError(err))
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, codes.Errorf(codes.Usage, "--ca-file %s holds no PEM certificate", path).
			WithFix("Pass the certificate the receiver serves, e.g. the --cert-out file of receive --self-signed.")
	}
	return pool, nil
}

// selfSigned makes a fresh ECDSA P-256 certificate for 127.0.0.1, ::1 and
// localhost, valid for a week, and returns it with its PEM for --cert-out.
// The key never leaves the process.
func selfSigned(now time.Time) (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "webhook-setup rehearsal receiver"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
	return cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}
